"""Who a notification is for: its audience, read in batches, with their channel identities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Ballot,
    ChannelIdentity,
    Delivery,
    Follower,
    GroupMembership,
    Notification,
    NotificationKind,
    Participant,
)
from budgeting.services.delivery_policy import Recipient, skip_reason

FOLLOWER_KINDS = {
    NotificationKind.FOLLOWED_CHANGED,
    NotificationKind.DECISION,
    NotificationKind.IMPLEMENTATION,
}
"""Kinds that go to the followers of a proposal."""


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
    if "area_id" in filters:  # voters in the area, and in a group round its declared members
        stmt = stmt.where(
            or_(
                exists().where(
                    Ballot.participant_id == Participant.id, Ballot.area_id == filters["area_id"]
                ),
                exists().where(
                    GroupMembership.participant_id == Participant.id,
                    GroupMembership.area_id == filters["area_id"],
                ),
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


async def identities_of(
    session: AsyncSession, participant_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    """Each participant's identities (channel, external id), oldest first."""
    rows = await session.execute(
        select(ChannelIdentity.participant_id, ChannelIdentity.channel, ChannelIdentity.external_id)
        .where(ChannelIdentity.participant_id.in_(list(participant_ids)))
        .order_by(ChannelIdentity.created_at, ChannelIdentity.id)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for pid, channel, external in rows:
        found.setdefault(pid, []).append((channel, external))
    return found


@dataclass(frozen=True)
class Reach:
    """How many of a notification's audience it will reach, and how many it never will."""

    told: int
    not_told: int
    """Switched this kind of message off, cannot be reached, or on no channel at all."""


async def reach(session: AsyncSession, notification: Notification, batch: int = 500) -> Reach:
    """Count the audience the outbox will deliver ``notification`` to (the same recipients,
    by the same delivery policy; quiet hours only delay, so they count as told)."""
    told = not_told = 0
    after = 0
    while recipients := await next_recipients(session, notification, after, batch):
        identities = await identities_of(session, [p.id for p in recipients])
        for participant in recipients:
            recipient = Recipient.of(participant, identities.get(participant.id, []))
            if skip_reason(recipient, notification.kind) is None:
                told += 1
            else:
                not_told += 1
        after = recipients[-1].id
    return Reach(told, not_told)
