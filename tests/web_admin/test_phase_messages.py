"""A phase changed by hand sends what its date would have sent, once, even when the date
comes later: the admin's confirmed change, then the outbox worker's ticks."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.console import ConsoleChannel
from bot.delivery.worker import OutboxWorker
from budgeting.models import Notification, NotificationKind, Round
from budgeting.phases import Phase, opens_at
from dialogs.engine import DialogEngine
from dialogs.types import Incoming
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import ADMIN, BOT, Browser, add_staff
from web_admin.app import create_app

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Stockholm


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _kinds(sessions: async_sessionmaker[AsyncSession], round_id: int) -> list[str]:
    async with sessions() as session:
        stmt = select(Notification.kind).where(Notification.round_id == round_id)
        return list((await session.scalars(stmt.order_by(Notification.id))).all())


async def test_voting_opened_by_hand_is_told_once_and_not_again_on_its_date(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    clock = Clock(DAYTIME)
    async with sessions() as session, session.begin():
        town, _ = await rounds_in_phase(session, clock.now, Phase.REVIEW, TOWN, WORKPLACE)
    await add_staff(sessions)
    engine = DialogEngine(sessions, clock=clock)
    out = io.StringIO()
    worker = OutboxWorker(
        sessions, {"console": ConsoleChannel(engine.handle, user="anna", stdout=out)}, clock=clock
    )
    for incoming in (
        Incoming("console", "anna", text="/start", display_name="anna"),
        Incoming("console", "anna", payload="welcome:language:en"),
    ):
        await engine.handle(incoming)
    app = create_app(
        sessions, secret_key="k", media_dir=tmp_path / "media", bot_username=BOT, clock=clock
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        admin = Browser(client)

        async def change_phase(phase: str) -> None:
            await admin.login(*ADMIN)  # again: the clock may have moved past the session
            done = await admin.confirm(f"/admin/rounds/{town.id}/phase", {"phase": phase})
            assert done.headers["location"] == f"/admin/rounds/{town.id}"
            assert "The phase is changed." in (await admin.get(done.headers["location"])).text

        await change_phase("voting")
        assert await _kinds(sessions, town.id) == [NotificationKind.VOTING_OPENS.value]
        await worker.tick()
        assert out.getvalue().count("Voting is open!") == 1

        # the date arrives later: the worker's reminders add nothing, pinned or not
        async with sessions() as session:
            voting_date = opens_at(await session.get(Round, town.id), Phase.VOTING)
        clock.now = voting_date + timedelta(hours=1)
        await worker.tick()
        await change_phase("")  # follow the dates
        await change_phase("voting")
        await worker.tick()
        assert await _kinds(sessions, town.id) == [NotificationKind.VOTING_OPENS.value]
        assert out.getvalue().count("Voting is open!") == 1

        # straight to the follow-up by hand: the survey invitation, once; no "voting closes"
        await change_phase("followup")
        async with sessions() as session:
            round_ = await session.get(Round, town.id)
            closes = opens_at(round_, Phase.DECISION)
        clock.now = closes - timedelta(hours=23)  # when "voting closes in 24 h" would be due
        await worker.tick()
        await worker.tick()
    assert await _kinds(sessions, town.id) == [
        NotificationKind.VOTING_OPENS.value,
        NotificationKind.SURVEY.value,
    ]
