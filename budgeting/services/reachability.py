"""Whether a participant can be reached on a channel, and how (Teams conversation references).

The one place that writes ``Participant.unreachable_at`` and
``ChannelIdentity.conversation_ref``: a channel reports a person who blocked the bot,
the outbox records an "unreachable" delivery, a person who writes again is reachable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import ChannelIdentity, Participant, utcnow

log = logging.getLogger(__name__)


def _participant_of(channel: str, external_id: str):  # noqa: ANN202 - a SQLAlchemy Select
    return select(ChannelIdentity.participant_id).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )


async def mark_unreachable(
    session: AsyncSession, channel: str, external_id: str, now: datetime | None = None
) -> None:
    """Record that the participant behind ``channel``/``external_id`` cannot be reached."""
    await session.execute(
        update(Participant)
        .where(Participant.id.in_(_participant_of(channel, external_id)))
        .values(unreachable_at=now or utcnow())
    )


async def mark_participants_unreachable(
    session: AsyncSession, participant_ids: Sequence[int], now: datetime
) -> None:
    """Record that these participants cannot be reached (those not already marked)."""
    if participant_ids:
        await session.execute(
            update(Participant)
            .where(Participant.id.in_(list(participant_ids)), Participant.unreachable_at.is_(None))
            .values(unreachable_at=now)
        )


def reachable_again(participant: Participant) -> None:
    """The participant wrote to us: they can be reached again (no write if they were)."""
    if participant.unreachable_at is not None:
        participant.unreachable_at = None


async def remember_conversation(
    session: AsyncSession, channel: str, external_id: str, reference: dict[str, Any]
) -> None:
    """Keep how to reach this identity later (a Teams conversation reference), if it exists."""
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    if identity is not None and identity.conversation_ref != reference:
        identity.conversation_ref = reference


async def conversation_of(
    session: AsyncSession, channel: str, external_id: str
) -> dict[str, Any] | None:
    """The stored conversation reference of this identity, if any."""
    return await session.scalar(
        select(ChannelIdentity.conversation_ref).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )


class Reachability:
    """One channel's reachability records, each call in a transaction of its own.

    What bootstrap hands a channel, so that the channel needs no database session.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str) -> None:
        self.sessions = sessions
        self.channel = channel

    async def unreachable(self, external_id: str) -> None:
        """The person blocked the bot or left: record it."""
        log.info("a %s participant blocked the bot; marked unreachable", self.channel)
        async with self.sessions() as session, session.begin():
            await mark_unreachable(session, self.channel, external_id)

    async def remember_conversation(self, external_id: str, reference: dict[str, Any]) -> None:
        """Keep the conversation reference of this identity (for proactive messages)."""
        async with self.sessions() as session, session.begin():
            await remember_conversation(session, self.channel, external_id, reference)

    async def conversation_of(self, external_id: str) -> dict[str, Any] | None:
        """The stored conversation reference of this identity, if any."""
        async with self.sessions() as session:
            return await conversation_of(session, self.channel, external_id)
