"""Channel updates already handled: a redelivered update must change nothing."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from budgeting.models import ProcessedUpdate


async def record_new_updates(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> set[tuple[str, str]]:
    """Record updates (``channel``, ``update_key``, ``created_at``) as processed.

    Returns the (channel, update_key) pairs that were not recorded before. ON CONFLICT
    DO NOTHING waits for a concurrent transaction recording the same key to commit, so
    an update is never handled twice at once.
    """
    if not rows:
        return set()
    result = await session.execute(_insert_new(session.bind.dialect.name), list(rows))
    return {(channel, key) for channel, key in result}


@cache
def _insert_new(dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING the new keys, built once per database kind."""
    table = ProcessedUpdate.__table__
    insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    return insert.on_conflict_do_nothing(index_elements=["channel", "update_key"]).returning(
        table.c.channel, table.c.update_key
    )
