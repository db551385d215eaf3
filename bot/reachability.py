"""Recording that a participant cannot be reached on a channel (they blocked the bot)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import ChannelIdentity, Participant, utcnow


def _participant_of(channel: str, external_id: str):  # noqa: ANN202 - a SQLAlchemy Select
    return select(ChannelIdentity.participant_id).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )


async def mark_unreachable(
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    external_id: str,
    now: datetime | None = None,
) -> None:
    """Record that the participant behind ``channel``/``external_id`` cannot be reached."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(Participant)
            .where(Participant.id.in_(_participant_of(channel, external_id)))
            .values(unreachable_at=now or utcnow())
        )
