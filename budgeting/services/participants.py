"""Finding participants by their channel identity, and their conversation state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import ChannelIdentity, ConversationState, Participant


async def find_or_create(
    session: AsyncSession, channel: str, external_id: str, display_name: str | None = None
) -> tuple[Participant, bool]:
    """The participant behind ``channel``/``external_id``, created on first contact.

    The row is locked for the transaction on PostgreSQL, so one person's messages
    are handled one at a time even across worker processes.
    """
    stmt = (
        select(Participant)
        .join(ChannelIdentity)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
        .with_for_update(of=Participant)
    )
    participant = (await session.scalars(stmt)).first()
    if participant is not None:
        return participant, False
    participant = Participant(display_name=display_name)
    participant.identities.append(ChannelIdentity(channel=channel, external_id=external_id))
    session.add(participant)
    await session.flush()
    return participant, True


async def conversation_state(session: AsyncSession, participant: Participant) -> ConversationState:
    """The participant's dialog state, created empty if missing."""
    state = await session.get(ConversationState, participant.id)
    if state is None:
        state = ConversationState(participant_id=participant.id, data={}, buttons=[])
        session.add(state)
    return state
