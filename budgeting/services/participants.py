"""Finding participants by their channel identity, and their conversation state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
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


@dataclass(eq=False)
class Conversation:
    """Where a participant is in a dialog, and the buttons they were last shown.

    A plain copy of their ``conversation_states`` row, outside the ORM session: the
    dialog engine writes the changed ones of a whole batch of turns at once
    (:func:`save_conversations`) instead of one UPDATE per turn. Values are replaced,
    never changed in place (``ctx.update`` builds a new dict), so comparing them with
    what was read tells what changed.
    """

    participant_id: int
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    buttons: list[Any] = field(default_factory=list)
    stored: tuple[Any, ...] | None = None
    """The row as read or last written; None while there is no row."""

    @property
    def values(self) -> tuple[Any, ...]:
        return (self.flow, self.step, self.data, self.buttons)

    @classmethod
    def from_row(cls, participant_id: int, row: Sequence[Any]) -> Conversation:
        """From ``BY_IDENTITY``'s state columns (all None while there is no row)."""
        row_id, flow, step, data, buttons = row
        if row_id is None:
            return cls(participant_id)
        state = cls(participant_id, flow, step, data or {}, buttons or [])
        state.stored = state.values
        return state


async def participants_by_identity(
    session: AsyncSession, channel: str, external_ids: Sequence[str]
) -> dict[str, tuple[Participant, Conversation]]:
    """The participants known to ``channel`` by these ids, each with its conversation.

    Their rows are locked for the transaction on PostgreSQL, in the order of their ids.
    """
    params = {"channel": channel, "external_ids": list(external_ids)}
    rows = await session.execute(BY_IDENTITY, params)
    return {
        external_id: (participant, Conversation.from_row(participant.id, state))
        for external_id, participant, *state in rows
    }


_STATE = ConversationState.__table__.c
BY_IDENTITY = (
    select(
        ChannelIdentity.external_id,
        Participant,
        _STATE.participant_id,
        _STATE.flow,
        _STATE.step,
        _STATE.data,
        _STATE.buttons,
    )
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

INSERT_STATE = insert(ConversationState.__table__)
UPDATE_STATE = (
    update(ConversationState.__table__)
    .where(_STATE.participant_id == bindparam("id"))
    .values(
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data"),
        buttons=bindparam("buttons"),
        updated_at=bindparam("now"),
    )
)


async def save_conversations(
    session: AsyncSession, conversations: Iterable[Conversation], now: datetime
) -> None:
    """Write the conversations that changed: one INSERT and one UPDATE for all of them."""
    new, changed = [], []
    for state in sorted(conversations, key=lambda c: c.participant_id):
        if state.stored is None:
            new.append(state)
        elif state.values != state.stored:
            changed.append(state)
    if new:
        rows = [{"participant_id": s.participant_id, **_columns(s), "updated_at": now} for s in new]
        await session.execute(INSERT_STATE, rows)
    if changed:
        rows = [{"id": s.participant_id, **_columns(s), "now": now} for s in changed]
        await session.execute(UPDATE_STATE, rows)
    for state in (*new, *changed):
        state.stored = state.values


def _columns(state: Conversation) -> dict[str, Any]:
    return {"flow": state.flow, "step": state.step, "data": state.data, "buttons": state.buttons}
