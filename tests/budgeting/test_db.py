"""SQLite runs inline on the event loop: a locked database is waited for, not blocked on."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import OperationalError

import budgeting.db
from budgeting.db import create_engine


async def make_table(path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (body TEXT)"))
    return engine


async def test_a_writer_waits_for_another_connections_lock_and_the_loop_keeps_running(
    tmp_path: Path,
) -> None:
    engine = await make_table(tmp_path / "db.sqlite3")
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(text("INSERT INTO notes VALUES ('first')"))  # holds the write lock

        async def write_second() -> None:
            await second.execute(text("INSERT INTO notes VALUES ('second')"))
            await second.commit()

        waiting = asyncio.create_task(write_second())
        started = time.monotonic()
        await asyncio.sleep(0.2)  # the loop runs while the second connection waits
        assert time.monotonic() - started < 0.5 and not waiting.done()
        await first.commit()
        await asyncio.wait_for(waiting, 5)
    async with engine.connect() as reader:
        rows = (await reader.execute(text("SELECT body FROM notes ORDER BY rowid"))).scalars()
        assert list(rows) == ["first", "second"]
    await engine.dispose()


async def test_a_lock_held_too_long_is_an_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(budgeting.db, "SQLITE_BUSY_TIMEOUT", 0.3)
    engine = await make_table(tmp_path / "db.sqlite3")
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(text("INSERT INTO notes VALUES ('first')"))
        with pytest.raises(OperationalError, match="database is locked"):
            await second.execute(text("INSERT INTO notes VALUES ('second')"))
        await first.rollback()
    await engine.dispose()


async def test_a_remembered_read_lasts_until_the_session_writes_what_it_read(sessions) -> None:
    """``remembered`` reads once per transaction, and again after a write to a table the
    read depends on, or to a table those refer to (a delete there cascades)."""
    from budgeting.models import ChannelIdentity, Participant, ProcessedUpdate
    from budgeting.remembered_reads import remembered

    reads: list[str] = []

    async def names(session) -> list[str | None]:
        async def read() -> list[str | None]:
            reads.append("names")
            return list(await session.scalars(select(Participant.display_name)))

        return await remembered(session, "names", ["participants"], read)

    async def identities(session) -> int:
        async def read() -> int:
            reads.append("identities")
            return len((await session.scalars(select(ChannelIdentity.id))).all())

        return await remembered(session, "identities", ["channel_identities"], read)

    async with sessions() as session, session.begin():
        assert await names(session) == [] and await names(session) == []
        assert reads == ["names"]
        ada = Participant(display_name="Ada")
        ada.identities.append(ChannelIdentity(channel="telegram", external_id="1"))
        session.add(ada)  # pending: written before the read, as a query would autoflush
        assert await names(session) == ["Ada"] and await identities(session) == 1
        session.add(ProcessedUpdate(channel="telegram", update_key="9"))  # another table
        assert await names(session) == ["Ada"] and await identities(session) == 1
        assert reads == ["names", "names", "identities"]
        await session.execute(update(Participant).values(display_name="Bea"))
        assert await names(session) == ["Bea"] and await identities(session) == 1
        assert reads[-2:] == ["names", "identities"]  # identities refer to participants
        await session.delete(ada)  # its identities go with it
        assert await identities(session) == 0 and reads[-1] == "identities"
        bo = Participant(display_name="Bo")
        bo.identities.append(ChannelIdentity(channel="telegram", external_id="2"))
        session.add(bo)
        assert await identities(session) == 1
        await session.execute(delete(Participant))  # the database deletes the identities
        assert await identities(session) == 0 and reads[-1] == "identities"
    async with sessions() as session, session.begin():
        assert await names(session) == [] and reads[-1] == "names"
    reader = sessions()
    assert await names(reader) == []
    await reader.close()  # ends its transaction without a commit or a rollback
    async with sessions() as writer, writer.begin():
        writer.add(Participant(display_name="Cy"))
    assert await names(reader) == ["Cy"]  # a new transaction: read again
    await reader.close()
