"""Finding participants by their channel identity, and their conversation state."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
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


async def participants_by_identity(
    session: AsyncSession, channel: str, external_ids: Sequence[str]
) -> dict[str, tuple[Participant, ConversationState | None]]:
    """The participants known to ``channel`` by these ids, each with its dialog state.

    Their rows are locked for the transaction on PostgreSQL, in the order of their ids.
    """
    params = {"channel": channel, "external_ids": list(external_ids)}
    rows = await session.execute(BY_IDENTITY, params)
    return {external_id: (participant, state) for external_id, participant, state in rows}


BY_IDENTITY = (
    select(ChannelIdentity.external_id, Participant, ConversationState)
    .join(Participant, ChannelIdentity.participant_id == Participant.id)
    .outerjoin(ConversationState, ConversationState.participant_id == Participant.id)
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.external_id.in_(bindparam("external_ids", expanding=True)),
    )
    .order_by(Participant.id)
    .with_for_update(of=Participant)
)
"""Built once: every batch of chat turns runs it."""


async def conversation_state(session: AsyncSession, participant: Participant) -> ConversationState:
    """The participant's dialog state, created empty if missing."""
    state = await session.get(ConversationState, participant.id)
    if state is None:
        state = ConversationState(participant_id=participant.id, data={}, buttons=[])
        session.add(state)
    return state
