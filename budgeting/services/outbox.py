"""The outbox: claiming due notifications under a lease, recording deliveries, releasing.

Delivery is resumable and never repeats a recipient: a notification is claimed with
a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the
work), each recipient gets a ``Delivery`` row (unique per notification and
participant) right after the send, and a notification is done once no recipient
is left without a row. Who the recipients are is ``audiences``; what each one gets,
``delivery_policy``; the automatic reminders, ``reminders``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import upsert
from budgeting.models import Delivery, Notification, Participant
from budgeting.services.audiences import audience
from budgeting.services.delivery_policy import DeliveryStatus
from budgeting.services.reachability import mark_participants_unreachable

LEASE = timedelta(minutes=1)
"""How long a claim holds unless its worker renews it."""


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int = 10,
    lease: timedelta = LEASE,
    owner: str | None = None,
) -> list[int]:
    """Lease up to ``limit`` due notifications that nobody else holds, for ``owner``;
    their ids, oldest due first.

    Each claim is a conditional UPDATE, so even where ``SKIP LOCKED`` does not exist
    (SQLite) two workers never both get the same notification.
    """
    owner = owner or new_owner()
    free = or_(Notification.lease_until.is_(None), Notification.lease_until < now)
    stmt = (
        select(Notification.id)
        .where(Notification.status != "done", Notification.due_at <= now, free)
        .order_by(Notification.due_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for notification_id in (await session.scalars(stmt)).all():
        taken = await session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status != "done", free)
            .values(status="claimed", lease_until=now + lease, claimed_by=owner)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount:
            claimed.append(notification_id)
    return claimed


def new_owner() -> str:
    """A fresh claim token."""
    return secrets.token_hex(16)


async def renew_lease(
    session: AsyncSession, notification_id: int, owner: str, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Keep holding a claimed notification; False if ``owner`` no longer holds it."""
    renewed = await session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "claimed",
            Notification.claimed_by == owner,
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(renewed.rowcount)


async def record_deliveries(
    session: AsyncSession,
    notification_id: int,
    outcomes: Mapping[int, DeliveryStatus],
    now: datetime,
) -> int:
    """Record what happened for each recipient (participant id → status) in one statement;
    returns how many were new. Recipients recorded unreachable are marked so for good."""
    if not outcomes:
        return 0
    rows = [
        {
            "notification_id": notification_id,
            "participant_id": pid,
            "status": str(status),
            "created_at": now,
        }
        for pid, status in outcomes.items()
    ]
    stmt = (
        upsert(session, Delivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["notification_id", "participant_id"])
    )
    result = await session.execute(stmt)
    gone = [pid for pid, status in outcomes.items() if status == DeliveryStatus.UNREACHABLE]
    await mark_participants_unreachable(session, gone, now)
    return result.rowcount or 0


async def release(
    session: AsyncSession, notification: Notification, now: datetime, owner: str | None = None
) -> None:
    """Done if every recipient has a delivery; else back in the queue for the next tick.
    With ``owner``, only while that worker still holds the claim."""
    if owner is not None and notification.claimed_by != owner:
        return
    left = await session.scalar(audience(notification).with_only_columns(Participant.id).limit(1))
    notification.lease_until = None
    notification.claimed_by = None
    notification.status = "pending" if left is not None else "done"
    await session.flush()
