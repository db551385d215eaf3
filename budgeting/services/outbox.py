"""The outbox: claiming due notifications, who should get them, recording deliveries.

Delivery is resumable and never repeats a recipient: a notification is claimed with
a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the
work), each recipient gets a ``Delivery`` row (unique per notification and
participant) right after the send, and a notification is done once no recipient
is left without a row.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import upsert
from budgeting.models import (
    Ballot,
    Delivery,
    Follower,
    Notification,
    NotificationKind,
    Participant,
    Round,
)
from budgeting.phases import Phase, closes_at, opens_at
from budgeting.services.reachability import mark_participants_unreachable

LEASE = timedelta(minutes=1)
"""How long a claim holds unless its worker renews it."""
PERSONAL = {NotificationKind.REVIEW_OUTCOME, NotificationKind.COMMENT_HIDDEN}
"""Kinds about the participant's own contribution: they cannot be switched off."""
FOLLOWER_KINDS = {
    NotificationKind.FOLLOWED_CHANGED,
    NotificationKind.DECISION,
    NotificationKind.IMPLEMENTATION,
}


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


def audience(notification: Notification) -> Select[tuple[Participant]]:
    """Participants the notification is for, not yet delivered to, in id order."""
    kind = NotificationKind(notification.kind)
    filters = dict(notification.payload.get("audience") or {})
    stmt = select(Participant).order_by(Participant.id)
    if notification.participant_id is not None:
        stmt = stmt.where(Participant.id == notification.participant_id)
    elif kind in FOLLOWER_KINDS or "followers_of" in filters:
        proposal_id = filters.get("followers_of", notification.proposal_id)
        stmt = stmt.where(
            exists().where(
                Follower.participant_id == Participant.id, Follower.proposal_id == proposal_id
            )
        )
    else:
        stmt = stmt.where(Participant.round_id == notification.round_id)
    voted = exists().where(
        Ballot.participant_id == Participant.id, Ballot.round_id == notification.round_id
    )
    if kind is NotificationKind.VOTING_CLOSES or filters.get("voted") is False:
        stmt = stmt.where(~voted)
    if "area_id" in filters:
        stmt = stmt.where(
            exists().where(
                Ballot.participant_id == Participant.id, Ballot.area_id == filters["area_id"]
            )
        )
    return stmt.where(
        ~exists().where(
            Delivery.notification_id == notification.id,
            Delivery.participant_id == Participant.id,
        )
    )


async def next_recipients(
    session: AsyncSession, notification: Notification, after_id: int, limit: int
) -> list[Participant]:
    """The next ``limit`` recipients without a delivery, after participant ``after_id``."""
    stmt = audience(notification).where(Participant.id > after_id).limit(limit)
    return list((await session.scalars(stmt)).all())


def wants(participant: Participant, kind: str) -> bool:
    """False if the participant switched this kind of message off."""
    return kind in {k.value for k in PERSONAL} or kind not in (participant.opt_outs or [])


def in_quiet_hours(participant: Participant, now: datetime, timezone: str) -> bool:
    """True while it is the participant's quiet hours in the round's time zone."""
    local = now.astimezone(ZoneInfo(timezone)).time()
    start, end = (
        time.fromisoformat(participant.quiet_start),
        time.fromisoformat(participant.quiet_end),
    )
    if start == end:
        return False
    return start <= local or local < end if start > end else start <= local < end


async def record_deliveries(
    session: AsyncSession, notification_id: int, outcomes: Mapping[int, str], now: datetime
) -> int:
    """Record what happened for each recipient (participant id → status) in one statement;
    returns how many were new. Recipients marked "unreachable" are marked so for good."""
    if not outcomes:
        return 0
    rows = [
        {"notification_id": notification_id, "participant_id": pid, "status": status}
        for pid, status in outcomes.items()
    ]
    stmt = (
        upsert(session, Delivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["notification_id", "participant_id"])
    )
    result = await session.execute(stmt)
    gone = [pid for pid, status in outcomes.items() if status == "unreachable"]
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


AUTOMATIC = {
    NotificationKind.IDEAS_OPEN: lambda r: opens_at(r, Phase.IDEAS),
    NotificationKind.VOTING_OPENS: lambda r: opens_at(r, Phase.VOTING),
    NotificationKind.VOTING_CLOSES: lambda r: closes_at(r, Phase.VOTING) - timedelta(hours=24),
    NotificationKind.SURVEY: lambda r: opens_at(r, Phase.FOLLOWUP),
}
"""Reminders every round sends by itself, and when."""
CATCH_UP = timedelta(days=1)


async def schedule_reminders(session: AsyncSession, now: datetime) -> int:
    """Create the automatic reminders that are due (once per round and kind)."""
    created = 0
    for round_ in (await session.scalars(select(Round))).all():
        for kind, when in AUTOMATIC.items():
            due = when(round_)
            if not now - CATCH_UP <= due <= now:
                continue
            existing = await session.scalar(
                select(Notification.id).where(
                    Notification.round_id == round_.id, Notification.kind == kind.value
                )
            )
            if existing is None:
                session.add(
                    Notification(round_id=round_.id, kind=kind.value, due_at=due, payload={})
                )
                created += 1
    await session.flush()
    return created
