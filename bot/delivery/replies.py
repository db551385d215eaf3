"""The reply outbox at work: turn replies recorded once sent, and sent again after a crash.

The dialog engine stores each turn's replies with its effects, leased to this process
(its ``holder``). The channel sends them as before, through a ``ReplyGuard``: a delivery slot
is taken (at most ``concurrency`` at once), and the outcome is committed before the slot
is free again, so a crash can repeat at most ``concurrency`` turns' replies that were
sent but not yet recorded; nothing is lost. While replies wait for their turn (a chat's
messages are paced at one a second) their leases are renewed; once a lease runs out, as
after a crash, whichever process looks next claims the row and sends it from storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.contract import Channel, SendOutcome
from bot.delivery.group_commit import GroupCommit
from budgeting.models import utcnow
from budgeting.services import reply_outbox
from budgeting.services.reply_outbox import LEASE, LeaseHolder, StoredReplies, claim_stale
from dialogs.types import Reply

log = logging.getLogger(__name__)

T = TypeVar("T")
Key = tuple[str, str]
"""A turn: (channel, update key)."""


@dataclass(frozen=True)
class Progress:
    """How far a turn's replies got: messages taken, and the outcome once it is over."""

    key: Key
    delivered: int
    outcome: SendOutcome | None = None


SETTLED = (SendOutcome.SENT, SendOutcome.UNREACHABLE)
"""Outcomes after which the replies are forgotten (the recipient is gone: no retry)."""


class ReplyGuard:
    """One turn's stored replies on their way (see ``DeliveryGuard``)."""

    def __init__(self, outbox: ReplyOutbox, key: Key, delivered: int = 0) -> None:
        self.outbox = outbox
        self.key = key
        self.delivered = delivered
        self._finished = False
        outbox.in_hand.add(key)

    async def one(self, send: Callable[[], Awaitable[T]], last: bool) -> T:
        """Make one call within a slot; once the channel took it, record it (the last
        one settles the turn), then free the slot."""
        async with self.outbox.slots:
            result = await send()
            self.delivered += 1
            await self._record(
                Progress(self.key, self.delivered, SendOutcome.SENT if last else None)
            )
            self._finished = last
            return result

    async def finish(self, outcome: SendOutcome) -> None:
        """Every call is made (or the recipient is gone, or sending failed): record that."""
        try:
            if not (self._finished and outcome is SendOutcome.SENT):
                await self._record(Progress(self.key, self.delivered, outcome))
        finally:
            self.abandon()

    def abandon(self) -> None:
        """No longer sending these here; once the lease runs out they are tried again."""
        self.outbox.in_hand.discard(self.key)

    async def _record(self, progress: Progress) -> None:
        try:
            await self.outbox.commits.add(progress)
        except Exception as error:  # noqa: BLE001 - its lease runs out: sent again later
            log.error("reply progress not recorded: %s", type(error).__name__)


class ReplyOutbox:
    """This process's share of the reply outbox: its leases, its slots, its sweeps."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        concurrency: int = 10,
        lease: timedelta = LEASE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.holder = LeaseHolder(lease=lease)
        """What the dialog engine stores this process's replies under (token and lease)."""
        self.clock = clock
        self.slots = asyncio.Semaphore(concurrency)
        self.in_hand: set[Key] = set()
        """Turns whose replies this process is sending or will send: the leases it renews."""
        self.commits: GroupCommit[Progress] = GroupCommit(self._record)
        self._writer: asyncio.Task[None] | None = None
        self._sweeping: set[asyncio.Task[None]] = set()

    def guard(self, channel: str, update_key: str, delivered: int = 0) -> ReplyGuard:
        """What a channel sends a turn's replies through (the turn had an update key)."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self.commits.run())
        return ReplyGuard(self, (channel, update_key), delivered)

    async def run(self, channels: Mapping[str, Channel]) -> None:
        """Renew leases and send what others left, every quarter lease, until cancelled."""
        while True:
            try:
                await self.renew()
                await self.sweep(channels)
            except Exception as error:  # noqa: BLE001 - try again at the next round
                log.warning("reply outbox round failed: %s", type(error).__name__)
            await asyncio.sleep(self.holder.lease.total_seconds() / 4)

    async def renew(self) -> None:
        """Extend the leases of the replies in hand."""
        if self.in_hand:
            async with self.sessions() as session, session.begin():
                holder = self.holder
                await reply_outbox.renew(
                    session, holder.owner, list(self.in_hand), self.clock(), holder.lease
                )

    async def sweep(self, channels: Mapping[str, Channel]) -> int:
        """Claim replies whose lease ran out and send them, each recipient's in order;
        how many turns were claimed. Returns once they are handed to the channels."""
        if self._sweeping:
            return 0  # the last sweep is still sending
        async with self.sessions() as session, session.begin():
            claimed = await claim_stale(
                session,
                self.holder.owner,
                self.clock(),
                channels=list(channels),
                lease=self.holder.lease,
            )
        by_recipient: dict[tuple[str, str], list[StoredReplies]] = defaultdict(list)
        for stored in claimed:
            by_recipient[(stored.channel, stored.recipient)].append(stored)
        for turns in by_recipient.values():
            guards = [self.guard(t.channel, t.update_key, t.delivered) for t in turns]
            task = asyncio.create_task(self._resend(channels[turns[0].channel], turns, guards))
            self._sweeping.add(task)
            task.add_done_callback(self._sweeping.discard)
        if claimed:
            log.info("sending %d turns' replies again", len(claimed))
        return len(claimed)

    async def drain(self) -> None:
        """Wait until what the sweeps claimed is sent (or given back)."""
        while self._sweeping:
            await asyncio.gather(*list(self._sweeping), return_exceptions=True)

    async def _resend(
        self, channel: Channel, turns: list[StoredReplies], guards: list[ReplyGuard]
    ) -> None:
        try:
            for stored, guard in zip(turns, guards, strict=True):
                replies = [Reply.from_json(r) for r in stored.replies]
                await channel.send(stored.recipient, replies, address=stored.address, guard=guard)
        finally:
            for guard in guards:
                guard.abandon()

    async def _record(self, progress: list[Progress]) -> None:
        """Commit progress, settled turns and failures together."""
        latest: dict[Key, Progress] = {}
        for step in progress:  # one turn's messages are recorded one after another
            latest[step.key] = step
        settled = [p.key for p in latest.values() if p.outcome in SETTLED]
        failed = [p for p in latest.values() if p.outcome is SendOutcome.FAILED]
        going = [p for p in latest.values() if p.outcome is None or p.outcome is SendOutcome.FAILED]
        async with self.sessions() as session, session.begin():
            await reply_outbox.record_progress(session, [(*p.key, p.delivered) for p in going])
            await reply_outbox.settle(session, settled)
            given_up = await reply_outbox.release_failed(
                session, [p.key for p in failed], self.clock()
            )
        if given_up:
            log.warning("gave up sending %d turns' replies", given_up)

    async def close(self) -> None:
        """Stop recording and free this process's leases at once, so that another
        process sends the rest."""
        for task in self._sweeping:
            task.cancel()
        await asyncio.gather(*self._sweeping, return_exceptions=True)
        if self._writer is not None:
            if not self._writer.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.commits.flush(), 10)
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        try:
            async with self.sessions() as session, session.begin():
                await reply_outbox.release_owner(session, self.holder.owner, self.clock())
        except Exception as error:  # noqa: BLE001 - the leases run out by themselves
            log.warning("reply leases not released: %s", type(error).__name__)
