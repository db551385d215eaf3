"""The outbox worker through the console channel: right people, their language, once."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.channels.console import ConsoleChannel
from bot.channels.contract import SendOutcome
from bot.delivery.worker import OutboxWorker
from budgeting.models import Delivery, Notification, NotificationKind, Participant
from budgeting.phases import Phase
from budgeting.services.notifications import enqueue
from budgeting.services.outbox import claim_due
from dialogs.engine import DialogEngine
from dialogs.types import Incoming, Reply
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Stockholm
NIGHT = datetime(2027, 3, 10, 22, 0, tzinfo=UTC)  # 23:00 in Stockholm


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def join(engine: DialogEngine, user: str, language: str) -> None:
    for incoming in (
        Incoming("console", user, text="/start", display_name=user),
        Incoming("console", user, payload=f"welcome:language:{language}"),
    ):
        await engine.handle(incoming)


async def setup(sessions, clock: Clock, phase: Phase = Phase.VOTING):
    async with sessions() as session, session.begin():
        round_, _ = await rounds_in_phase(session, clock.now, phase, TOWN, WORKPLACE)
    engine = DialogEngine(sessions, clock=clock)
    out = io.StringIO()
    console = ConsoleChannel(engine.handle, user="anna", stdout=out)
    return round_, engine, out, OutboxWorker(sessions, {"console": console}, clock=clock)


async def deliveries(sessions, status: str | None = None) -> int:
    async with sessions() as session:
        stmt = select(func.count()).select_from(Delivery)
        if status:
            stmt = stmt.where(Delivery.status == status)
        return await session.scalar(stmt)


async def test_broadcast_reaches_each_participant_once_in_their_language(sessions) -> None:
    clock = Clock(DAYTIME)
    round_, engine, out, worker = await setup(sessions, clock, Phase.REVIEW)
    await join(engine, "anna", "sv")
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            NotificationKind.BROADCAST,
            round_id=round_.id,
            due_at=clock.now,
            payload={"texts": {"sv": "Hej från kommunen", "en": "Hello from the municipality"}},
        )
    first = await worker.tick()
    second = await worker.tick()
    assert out.getvalue().count("Hej från kommunen") == 1
    assert "Hello from" not in out.getvalue()
    assert first.sent == 1 and second.sent == 0
    async with sessions() as session:
        status = await session.scalar(select(Notification.status))
    assert status == "done"


async def test_quiet_hours_wait_and_opt_outs_hold(sessions) -> None:
    clock = Clock(NIGHT)
    round_, engine, out, worker = await setup(sessions, clock, Phase.REVIEW)
    await join(engine, "anna", "en")
    async with sessions() as session, session.begin():
        await enqueue(session, NotificationKind.RESULTS, round_id=round_.id, due_at=clock.now)
    report = await worker.tick()
    assert report.sent == 0 and report.deferred == 1 and out.getvalue() == ""
    assert report.deferred_for == {"quiet_hours": 1}
    clock.now = DAYTIME.replace(day=11)
    assert (await worker.tick()).sent == 1
    assert "The result of the vote is published." in out.getvalue()

    switch_results_off = Incoming("console", "anna", payload="settings:toggle:results")
    await engine.handle(switch_results_off)
    async with sessions() as session, session.begin():
        await enqueue(session, NotificationKind.RESULTS, round_id=round_.id, due_at=clock.now)
    report = await worker.tick()
    assert report.sent == 0 and report.skipped == 1
    assert report.recorded == {"opted_out": 1}
    assert await deliveries(sessions, "opted_out") == 1


async def test_voting_reminder_only_to_those_who_have_not_voted(sessions) -> None:
    clock = Clock(DAYTIME)
    round_, engine, out, worker = await setup(sessions, clock)
    await join(engine, "anna", "en")
    for payload in ("vote", "vote:area:1", "vote:pick:1", "vote:done", "vote:confirm"):
        await engine.handle(Incoming("console", "anna", payload=payload))
    async with sessions() as session, session.begin():
        voter = await session.scalar(select(Participant).where(Participant.display_name == "anna"))
        other = Participant(display_name="other", round_id=round_.id, locale="en")
        session.add(other)
        await session.flush()
        await enqueue(session, NotificationKind.VOTING_CLOSES, round_id=round_.id, due_at=clock.now)
    await worker.tick()
    async with sessions() as session:
        got = set(
            (
                await session.scalars(
                    select(Delivery.participant_id)
                    .join(Notification)
                    .where(Notification.kind == NotificationKind.VOTING_CLOSES.value)
                )
            ).all()
        )
    # the voter is not reminded; the other one has no channel: recorded, nothing sent
    assert voter.id not in got and other.id in got
    assert "Voting closes in 24 hours" not in out.getvalue()
    assert out.getvalue().count("Voting is open!") == 1  # the automatic reminder, once


async def test_reminders_are_scheduled_from_the_round_dates(sessions) -> None:
    clock = Clock(DAYTIME)
    round_, engine, out, worker = await setup(sessions, clock, Phase.VOTING)
    await join(engine, "anna", "en")
    await worker.tick()
    await worker.tick()
    async with sessions() as session:
        kinds = (
            await session.scalars(
                select(Notification.kind).where(Notification.round_id == round_.id)
            )
        ).all()
    assert kinds == [NotificationKind.VOTING_OPENS.value]
    assert out.getvalue().count("Voting is open!") == 1


async def test_review_outcome_and_decision_reach_author_and_followers(sessions) -> None:
    clock = Clock(DAYTIME)
    round_, engine, out, worker = await setup(sessions, clock, Phase.REVIEW)
    await join(engine, "anna", "sv")
    await engine.handle(Incoming("console", "anna", payload="browse:follow:1"))  # proposal 1
    async with sessions() as session, session.begin():
        anna = await session.scalar(select(Participant).where(Participant.display_name == "anna"))
        await enqueue(
            session,
            NotificationKind.REVIEW_OUTCOME,
            round_id=round_.id,
            participant_id=anna.id,
            payload={"params": {"proposal_id": 5, "outcome": "rejected", "reason": "För dyrt"}},
        )
        await enqueue(
            session,
            NotificationKind.DECISION,
            round_id=round_.id,
            proposal_id=1,
            payload={"params": {"proposal_id": 1, "decision": "approved"}},
        )
    report = await worker.tick()
    text = out.getvalue()
    assert report.sent == 2
    assert "#5 Ny simhall" in text and "För dyrt" in text
    assert "#1 Fler bänkar längs Ljusterån" in text
    assert "was not accepted" not in text  # Swedish, not English


class SlowConsole(ConsoleChannel):
    """A console everyone shares, whose every send takes a while (a slow channel)."""

    async def send(self, external_id: str, replies: list[Reply]) -> SendOutcome:
        await asyncio.sleep(0.4)
        self.show(replies)
        return SendOutcome.SENT


def wall_clock():
    """A clock that starts at noon and runs in real time (leases need time to pass)."""
    wall = time.monotonic()
    return lambda: DAYTIME + timedelta(seconds=time.monotonic() - wall)


async def three_residents(sessions, clock, *texts: str):
    """Anna, Bo and Cy in TOWN, one broadcast per text; (round, console output)."""
    async with sessions() as session, session.begin():
        round_, _ = await rounds_in_phase(session, clock(), Phase.REVIEW, TOWN, WORKPLACE)
    engine = DialogEngine(sessions, clock=clock)
    for user in ("anna", "bo", "cy"):
        await join(engine, user, "sv")
    async with sessions() as session, session.begin():
        for text in texts:
            await enqueue(
                session,
                NotificationKind.BROADCAST,
                round_id=round_.id,
                due_at=clock(),
                payload={"texts": {"sv": text}},
            )
    return engine, io.StringIO()


async def test_a_worker_keeps_every_claim_while_it_sends(sessions) -> None:
    """Both notifications a tick claims stay claimed while the first is being sent, so a
    second worker ticking all along sends nothing; each resident gets each message once."""
    clock = wall_clock()
    engine, out = await three_residents(sessions, clock, "Första", "Andra")
    slow = {"console": SlowConsole(engine.handle, user="anna", stdout=out)}
    lease = timedelta(seconds=0.3)
    first = OutboxWorker(sessions, slow, clock=clock, lease=lease, concurrency=1)
    second = OutboxWorker(sessions, slow, clock=clock, lease=lease)
    sending = asyncio.create_task(first.tick())
    await asyncio.sleep(0.1)  # the first worker claims both
    while not sending.done():
        assert (await second.tick()).sent == 0
        await asyncio.sleep(0.1)
    assert (await sending).sent == 6
    assert out.getvalue().count("Första") == 3 and out.getvalue().count("Andra") == 3


async def test_a_worker_that_lost_its_claim_stops_sending(sessions) -> None:
    clock = wall_clock()
    engine, out = await three_residents(sessions, clock, "Hej")
    slow = {"console": SlowConsole(engine.handle, user="anna", stdout=out)}
    first = OutboxWorker(sessions, slow, clock=clock, lease=timedelta(seconds=0.3), concurrency=1)
    sending = asyncio.create_task(first.tick())
    await asyncio.sleep(0.2)
    async with sessions() as session, session.begin():  # another worker takes it over
        await session.execute(
            update(Notification).values(claimed_by="another", lease_until=clock() + timedelta(1))
        )
    report = await sending
    assert report.sent < 3
    async with sessions() as session:
        notification = await session.scalar(select(Notification))
    assert (notification.claimed_by, notification.status) == ("another", "claimed")


async def test_two_workers_never_claim_the_same_notification(sessions) -> None:
    clock = wall_clock()
    await three_residents(sessions, clock, "Hej")

    async def claim(owner: str) -> list[int]:
        async with sessions() as session, session.begin():
            return await claim_due(session, clock(), owner=owner)

    results = await asyncio.gather(claim("a"), claim("b"), return_exceptions=True)
    claims = [r for r in results if isinstance(r, list)]
    assert sum(len(c) for c in claims) == 1, results


class ErasingConsole(SlowConsole):
    """While Bo's message is on its way, Bo erases his data (/forget)."""

    async def send(self, external_id: str, replies: list[Reply]) -> SendOutcome:
        if external_id == "bo":
            await self.turns(Incoming("console", "bo", text="/forget"))
            await self.turns(Incoming("console", "bo", payload="privacy:erase"))
        self.show(replies)
        return SendOutcome.SENT


async def test_someone_erased_mid_send_does_not_cost_the_others_their_record(sessions) -> None:
    clock = wall_clock()
    engine, out = await three_residents(sessions, clock, "Hej")
    erasing = {"console": ErasingConsole(engine.handle, user="anna", stdout=out)}
    report = await OutboxWorker(sessions, erasing, clock=clock).tick()
    assert report.sent == 3
    async with sessions() as session:
        recorded = (await session.scalars(select(Delivery.participant_id))).all()
        status = await session.scalar(select(Notification.status))
        people = (await session.scalars(select(Participant.display_name))).all()
    assert len(recorded) == 2 and status == "done" and "bo" not in people
