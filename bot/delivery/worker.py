"""Delivers the outbox: claims due notifications and sends them through the channels.

APScheduler only ticks; the truth is in the database. Each delivery is recorded right
after its send (outcomes that finish together share a transaction), and a worker sends
nothing more until its last outcome is committed, so a crash can repeat at most the
messages in flight (``concurrency``) whose send was acknowledged but not yet recorded;
nothing is lost. Who gets what on which channel, or waits, or is skipped and why, is the
delivery policy's (``budgeting.services.delivery_policy``); this module only carries it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.contract import Channel, SendOutcome
from bot.delivery.group_commit import GroupCommit
from budgeting.models import Notification, Round, utcnow
from budgeting.services.audiences import identities_of, next_recipients
from budgeting.services.delivery_policy import (
    Decision,
    Defer,
    DeferReason,
    DeliveryStatus,
    Recipient,
    Send,
    Skip,
    decide,
)
from budgeting.services.outbox import (
    LEASE,
    claim_due,
    new_owner,
    record_deliveries,
    release,
    renew_lease,
)
from budgeting.services.reminders import schedule_reminders
from dialogs.notifications import notification_replies
from dialogs.types import Reply

log = logging.getLogger(__name__)

RECORDED = {
    SendOutcome.SENT: DeliveryStatus.SENT,
    SendOutcome.UNREACHABLE: DeliveryStatus.UNREACHABLE,
}
"""Send outcomes that settle a recipient; any other (a failure) is tried again later."""


@dataclass
class TickReport:
    """What one tick did: recipients recorded, by status, and those left for later."""

    recorded: Counter[DeliveryStatus] = field(default_factory=Counter)
    deferred_for: Counter[DeferReason] = field(default_factory=Counter)
    """Not recorded, so a later tick asks again."""
    failed: int = 0
    """Sends that failed; a later tick tries again."""

    @property
    def sent(self) -> int:
        return self.recorded[DeliveryStatus.SENT]

    @property
    def skipped(self) -> int:
        """Recorded without a message (no channel, unreachable, opted out, nothing to say)."""
        return self.recorded.total() - self.sent

    @property
    def deferred(self) -> int:
        return self.deferred_for.total()


@dataclass(frozen=True)
class _Job:
    participant_id: int
    decision: Decision
    replies: list[Reply]


class OutboxWorker:
    """Moves due notifications from the outbox to participants."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 200,
        default_timezone: str = "Europe/Stockholm",
        concurrency: int = 10,
        lease: timedelta = LEASE,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.clock = clock
        self.batch_size = batch_size
        self.default_timezone = default_timezone
        self.concurrency = concurrency
        """Sends in flight at once; the channel's sender still keeps its rate limits. A crash
        can repeat at most this many messages (sent, but not yet recorded)."""
        self.lease = lease

    async def tick(self) -> TickReport:
        """Schedule due reminders, claim due notifications and deliver them, one by one.

        Every claim of the tick is renewed until its notification is done; a notification
        whose claim was lost (another worker took it over) is stopped at once.
        """
        report = TickReport()
        now = self.clock()
        owner = new_owner()
        async with self.sessions() as session, session.begin():
            await schedule_reminders(session, now)
            claimed = await claim_due(session, now, lease=self.lease, owner=owner)
        if not claimed:
            return report
        holding = set(claimed)
        sending: dict[int, asyncio.Task[None]] = {}
        keeper = asyncio.create_task(self._keep_leases(holding, owner, sending))
        try:
            for notification_id in claimed:
                if notification_id not in holding:
                    continue
                task = asyncio.create_task(self.deliver(notification_id, report, owner))
                sending[notification_id] = task
                try:
                    await task
                except asyncio.CancelledError:
                    if notification_id in holding:
                        raise  # the tick itself was cancelled
                    log.warning("another worker took over a notification; stopped sending it")
                finally:
                    sending.pop(notification_id, None)
                    holding.discard(notification_id)
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        return report

    async def deliver(self, notification_id: int, report: TickReport, owner: str) -> None:
        """Send one notification to every recipient who has not had it yet.

        One task reads the recipients a batch ahead, ``concurrency`` workers send, and
        their outcomes are committed together (a worker takes its next recipient only once
        its last one is recorded). At the end the claim is released: done, or back in the
        queue for those still waiting (quiet hours, failures).
        """
        jobs: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=self.batch_size)
        recorder = _Recorder(self.sessions, notification_id, self.clock)

        async def read() -> None:
            after = 0
            while batch := await self._next_jobs(notification_id, after):
                after = batch[-1].participant_id
                for job in batch:
                    await jobs.put(job)
            for _ in range(self.concurrency):
                await jobs.put(None)

        async def send() -> None:
            while (job := await jobs.get()) is not None:
                await self._run(job, report, recorder)

        writer = asyncio.create_task(recorder.run())
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(read())
                for _ in range(self.concurrency):
                    group.create_task(send())
        finally:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        async with self.sessions() as session, session.begin():
            notification = await session.get(Notification, notification_id)
            if notification is not None:
                await release(session, notification, self.clock(), owner)

    async def _keep_leases(
        self, holding: set[int], owner: str, sending: dict[int, asyncio.Task[None]]
    ) -> None:
        """Renew every claim of this tick; stop the delivery of one whose claim was lost."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            for notification_id in list(holding):
                try:
                    async with self.sessions() as session, session.begin():
                        held = await renew_lease(
                            session, notification_id, owner, self.clock(), self.lease
                        )
                except Exception as error:  # noqa: BLE001 - try again at the next renewal
                    log.warning("could not renew the outbox lease: %s", type(error).__name__)
                    continue
                if not held:
                    holding.discard(notification_id)
                    if notification_id in sending:
                        sending[notification_id].cancel()

    async def _next_jobs(self, notification_id: int, after: int) -> list[_Job]:
        """The next batch of recipients, each with what to send (or why not)."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return []
            round_ = (
                await session.get(Round, notification.round_id) if notification.round_id else None
            )
            zone = round_.timezone if round_ else self.default_timezone
            recipients = await next_recipients(session, notification, after, self.batch_size)
            identities = await identities_of(session, [p.id for p in recipients])
            jobs = []
            for participant in recipients:
                recipient = Recipient.of(participant, identities.get(participant.id, []))
                decision = decide(recipient, notification.kind, now, zone, self.channels.keys())
                replies: list[Reply] = []
                if isinstance(decision, Send):
                    replies = await notification_replies(session, notification, participant)
                    if not replies:
                        decision = Skip(DeliveryStatus.EMPTY)
                jobs.append(_Job(participant.id, decision, replies))
            return jobs

    async def _run(self, job: _Job, report: TickReport, recorder: _Recorder) -> None:
        """Send (or skip) one recipient and record it; a deferred one is left for later."""
        match job.decision:
            case Skip(reason):
                await recorder.record(job.participant_id, reason)
                report.recorded[reason] += 1
            case Send(channel, external_id):
                outcome = await self.channels[channel].send(external_id, job.replies)
                status = RECORDED.get(outcome)
                if status is None:
                    report.failed += 1
                else:
                    await recorder.record(job.participant_id, status)
                    report.recorded[status] += 1
            case Defer(reason):
                report.deferred_for[reason] += 1


class _Recorder:
    """Commits the outcomes of one notification's sends, many per transaction.

    ``record`` returns once the outcome is committed (a group commit: one writer, few
    transactions).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notification_id: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.notification_id = notification_id
        self.clock = clock
        self.commits: GroupCommit[tuple[int, DeliveryStatus]] = GroupCommit(self._write_all)

    async def record(self, participant_id: int, status: DeliveryStatus) -> None:
        """Wait until this recipient's outcome is committed."""
        await self.commits.add((participant_id, status))

    async def run(self) -> None:
        """Commit what is waiting, again and again, until cancelled."""
        await self.commits.run()

    async def _write_all(self, outcomes: list[tuple[int, DeliveryStatus]]) -> None:
        try:
            await self._write(dict(outcomes))
        except IntegrityError:  # someone erased their data meanwhile: one by one
            for pid, status in outcomes:
                with contextlib.suppress(IntegrityError):  # they are gone: nothing
                    await self._write({pid: status})

    async def _write(self, outcomes: dict[int, DeliveryStatus]) -> None:
        async with self.sessions() as session, session.begin():
            await record_deliveries(session, self.notification_id, outcomes, self.clock())
