"""Delivers the outbox: claims due notifications and sends them through the channels.

APScheduler only ticks; the truth is in the database. Each delivery is recorded right
after its send (outcomes that finish together share a transaction), and a worker sends
nothing more until its last outcome is committed, so a crash can repeat at most the
messages in flight (``concurrency``) whose send was acknowledged but not yet recorded;
nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.contract import Channel, SendOutcome
from budgeting.models import ChannelIdentity, Notification, Round, utcnow
from budgeting.services.outbox import (
    LEASE,
    claim_due,
    in_quiet_hours,
    new_owner,
    next_recipients,
    record_deliveries,
    release,
    renew_lease,
    schedule_reminders,
    wants,
)
from dialogs.notifications import render
from dialogs.types import Reply

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did."""

    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Job:
    participant_id: int
    channel: str | None
    external_id: str | None
    replies: list[Reply]
    status: str | None  # set when the recipient is skipped without sending


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
            identities = await self._identities(session, [p.id for p in recipients])
            jobs = []
            for participant in recipients:
                known = identities.get(participant.id, [])
                here = [(c, e) for c, e in known if c in self.channels]
                channel, external_id = here[-1] if here else (None, None)
                status = None
                if not known:
                    status = "no_channel"
                elif participant.unreachable_at is not None:
                    status = "unreachable"
                elif not wants(participant, notification.kind):
                    status = "opted_out"
                replies: list[Reply] = []
                if (
                    status is None
                    and channel is not None
                    and not in_quiet_hours(participant, now, zone)
                ):
                    replies = await render(session, notification, participant)
                    if not replies:
                        status = "empty"
                jobs.append(_Job(participant.id, channel, external_id, replies, status))
            return jobs

    async def _identities(
        self, session: AsyncSession, participant_ids: list[int]
    ) -> dict[int, list[tuple[str, str]]]:
        """Each participant's identities (channel, external id), oldest first."""
        rows = await session.execute(
            select(
                ChannelIdentity.participant_id, ChannelIdentity.channel, ChannelIdentity.external_id
            )
            .where(ChannelIdentity.participant_id.in_(participant_ids))
            .order_by(ChannelIdentity.created_at, ChannelIdentity.id)
        )
        found: dict[int, list[tuple[str, str]]] = {}
        for pid, channel, external in rows:
            found.setdefault(pid, []).append((channel, external))
        return found

    async def _run(self, job: _Job, report: TickReport, recorder: _Recorder) -> None:
        """Send (or skip) one recipient and record it."""
        if job.status is not None:
            await recorder.record(job.participant_id, job.status)
            report.skipped += 1
            return
        if not job.replies or job.channel is None or job.external_id is None:
            report.deferred += 1  # quiet hours, or no channel here: a later tick tries again
            return
        outcome = await self.channels[job.channel].send(job.external_id, job.replies)
        if outcome is SendOutcome.SENT:
            await recorder.record(job.participant_id, "sent")
            report.sent += 1
        elif outcome is SendOutcome.UNREACHABLE:
            await recorder.record(job.participant_id, "unreachable")
            report.skipped += 1
        else:
            report.failed += 1


class _Recorder:
    """Commits the outcomes of one notification's sends, many per transaction.

    ``record`` returns once the outcome is committed; whatever arrived while the last
    commit ran goes into the next one (group commit: one writer, few transactions).
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
        self._waiting: dict[int, tuple[str, asyncio.Future[None]]] = {}
        self._arrived = asyncio.Event()

    async def record(self, participant_id: int, status: str) -> None:
        """Wait until this recipient's outcome is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[participant_id] = (status, done)
        self._arrived.set()
        await done

    async def _write(self, outcomes: dict[int, str]) -> None:
        async with self.sessions() as session, session.begin():
            await record_deliveries(session, self.notification_id, outcomes, self.clock())

    async def run(self) -> None:
        """Commit what is waiting, again and again, until cancelled."""
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            batch, self._waiting = self._waiting, {}
            try:
                try:
                    await self._write({pid: status for pid, (status, _) in batch.items()})
                except IntegrityError:  # someone erased their data meanwhile: one by one
                    for pid, (status, _) in batch.items():
                        with contextlib.suppress(IntegrityError):  # they are gone: nothing
                            await self._write({pid: status})
            except Exception as error:  # noqa: BLE001 - the senders hear of it
                for _, done in batch.values():
                    done.set_exception(error)
            else:
                for _, done in batch.values():
                    done.set_result(None)
