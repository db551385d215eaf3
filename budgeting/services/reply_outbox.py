"""Turn replies kept until the channel took them: stored with the turn, leased, settled.

A turn's replies are written in the transaction of its effects, leased to the process
that handled it. That process renews its leases while it sends and deletes each row
once the channel accepted the replies (or the recipient is gone). A row whose lease ran
out (its process crashed, or sending failed) is claimed by whichever process looks
next, and sent from storage. Nothing here talks to a channel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import OutgoingReply
from budgeting.services.outbox import new_owner

LEASE = timedelta(seconds=20)
"""How long a process holds the replies it is sending unless it renews the lease."""
MAX_ATTEMPTS = 8
"""Failed deliveries of one turn's replies before they are given up."""


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds the replies a process stores (its token), and for how long at a time."""

    owner: str = field(default_factory=new_owner)
    lease: timedelta = LEASE


@dataclass(frozen=True)
class StoredReplies:
    """One turn's replies as stored: where they go and what they say (as JSON)."""

    channel: str
    update_key: str
    recipient: str
    address: dict[str, Any]
    replies: list[Any]
    delivered: int = 0
    """Messages of these replies the channel already took."""


async def store_replies(
    session: AsyncSession, turns: Sequence[StoredReplies], holder: LeaseHolder, now: datetime
) -> None:
    """Keep the replies of these turns, leased to ``holder``, in the session's transaction."""
    if not turns:
        return
    rows = [
        {
            "channel": t.channel,
            "update_key": t.update_key,
            "recipient": t.recipient,
            "address": t.address,
            "replies": t.replies,
            "owner": holder.owner,
            "lease_until": now + holder.lease,
            "delivered": 0,
            "attempts": 0,
            "created_at": now,
        }
        for t in turns
    ]
    await session.execute(insert(OutgoingReply.__table__), rows)  # Core: no ORM per row


RENEW_CHUNK = 500


async def renew(
    session: AsyncSession,
    owner: str,
    keys: Sequence[tuple[str, str]],
    now: datetime,
    lease: timedelta = LEASE,
) -> None:
    """Extend ``owner``'s leases of these turns (channel, update key)."""
    by_channel: dict[str, list[str]] = defaultdict(list)
    for channel, update_key in keys:
        by_channel[channel].append(update_key)
    for channel, update_keys in by_channel.items():
        for start in range(0, len(update_keys), RENEW_CHUNK):
            await session.execute(
                update(OutgoingReply)
                .where(
                    OutgoingReply.owner == owner,
                    OutgoingReply.channel == channel,
                    OutgoingReply.update_key.in_(update_keys[start : start + RENEW_CHUNK]),
                )
                .values(lease_until=now + lease)
                .execution_options(synchronize_session=False)
            )


async def settle(session: AsyncSession, keys: Sequence[tuple[str, str]]) -> None:
    """The replies of these turns (channel, update key) reached the channel: forget them."""
    if keys:
        await session.execute(
            delete(OutgoingReply)
            .where(tuple_(OutgoingReply.channel, OutgoingReply.update_key).in_(keys))
            .execution_options(synchronize_session=False)
        )


async def record_progress(session: AsyncSession, progress: Sequence[tuple[str, str, int]]) -> None:
    """How many messages of each turn's replies (channel, update key, count) were taken."""
    if progress:
        table = OutgoingReply.__table__
        await session.execute(
            update(table)
            .where(table.c.channel == bindparam("c"), table.c.update_key == bindparam("k"))
            .values(delivered=bindparam("n")),
            [{"c": c, "k": k, "n": n} for c, k, n in progress],
        )


async def release_owner(session: AsyncSession, owner: str, now: datetime) -> None:
    """``owner`` stops: whatever it held may be taken over at once."""
    await session.execute(
        update(OutgoingReply)
        .where(OutgoingReply.owner == owner)
        .values(owner=None, lease_until=now)
        .execution_options(synchronize_session=False)
    )


def retry_delay(attempts: int) -> timedelta:
    """How long failed replies wait before the next try: 5 s, doubling up to 5 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 300))


async def release_failed(
    session: AsyncSession, keys: Sequence[tuple[str, str]], now: datetime
) -> int:
    """Sending these failed: free them for a later try, or give up after ``MAX_ATTEMPTS``.

    Returns how many were given up.
    """
    given_up = 0
    for channel, update_key in keys:
        row = await session.scalar(
            select(OutgoingReply).where(
                OutgoingReply.channel == channel, OutgoingReply.update_key == update_key
            )
        )
        if row is None:
            continue
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            await session.delete(row)
            given_up += 1
        else:
            row.owner = None
            row.lease_until = now + retry_delay(row.attempts)
    await session.flush()
    return given_up


async def claim_stale(
    session: AsyncSession,
    owner: str,
    now: datetime,
    channels: Sequence[str],
    limit: int = 100,
    lease: timedelta = LEASE,
) -> list[StoredReplies]:
    """Take over up to ``limit`` rows of ``channels`` whose lease ran out, oldest first.

    Each claim is a conditional UPDATE, so two processes never both get the same row
    (``SKIP LOCKED`` on PostgreSQL keeps them from waiting for each other).
    """
    stmt = (
        select(OutgoingReply.id)
        .where(OutgoingReply.lease_until < now, OutgoingReply.channel.in_(channels))
        .order_by(OutgoingReply.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[StoredReplies] = []
    for row_id in (await session.scalars(stmt)).all():
        taken = await session.execute(
            update(OutgoingReply)
            .where(OutgoingReply.id == row_id, OutgoingReply.lease_until < now)
            .values(owner=owner, lease_until=now + lease)
            .returning(
                OutgoingReply.channel,
                OutgoingReply.update_key,
                OutgoingReply.recipient,
                OutgoingReply.address,
                OutgoingReply.replies,
                OutgoingReply.delivered,
            )
            .execution_options(synchronize_session=False)
        )
        found = taken.first()
        if found is not None:
            claimed.append(StoredReplies(*found))
    return claimed
