"""The reminders every round sends by itself: created in the outbox once they are due.

A phase's opening message (ideas open, voting opens, the survey) goes out when the
phase's date arrives or when staff move the round into the phase by hand, whichever
comes first, and only once: each such notification carries a unique ``once_key`` per
round, phase and kind, so the date's later arrival, a second change by hand or two
workers at once add nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Notification, NotificationKind, Round
from budgeting.phases import Phase, closes_at, current_phase, opens_at


@dataclass(frozen=True)
class Reminder:
    """A message every round sends by itself, in one phase."""

    kind: NotificationKind
    phase: Phase
    due: Callable[[Round], datetime]
    on_entry: bool
    """Also sent when staff move the round into ``phase`` by hand (a phase's opening)."""


AUTOMATIC = (
    Reminder(NotificationKind.IDEAS_OPEN, Phase.IDEAS, lambda r: opens_at(r, Phase.IDEAS), True),
    Reminder(
        NotificationKind.VOTING_OPENS, Phase.VOTING, lambda r: opens_at(r, Phase.VOTING), True
    ),
    Reminder(
        NotificationKind.VOTING_CLOSES,
        Phase.VOTING,
        lambda r: closes_at(r, Phase.VOTING) - timedelta(hours=24),
        False,
    ),
    Reminder(NotificationKind.SURVEY, Phase.FOLLOWUP, lambda r: opens_at(r, Phase.FOLLOWUP), True),
)
"""Reminders every round sends by itself, and when."""
CATCH_UP = timedelta(days=1)
"""How late a reminder is still created (a worker that was down catches up this far)."""


def once_key(round_id: int, reminder: Reminder) -> str:
    """The key that makes a round's reminder unique (per round, phase and kind)."""
    return f"round:{round_id}:{reminder.phase.value}:{reminder.kind.value}"


def date_reminder_applies(round_: Round, reminder: Reminder) -> bool:
    """False while staff hold the round in another phase than the reminder's (its date
    then says nothing about the round: no "voting closes soon" after voting was closed)."""
    return not round_.phase_override or round_.phase_override == reminder.phase.value


async def _add_once(
    session: AsyncSession, round_: Round, reminder: Reminder, due: datetime
) -> Notification | None:
    """Put the reminder in the outbox unless it is there already; the new row, or None."""
    key = once_key(round_.id, reminder)
    if await session.scalar(select(Notification.id).where(Notification.once_key == key)):
        return None
    notification = Notification(
        round_id=round_.id,
        kind=reminder.kind.value,
        due_at=due,
        payload={},
        status="pending",
        once_key=key,
    )
    try:
        async with session.begin_nested():
            session.add(notification)
    except IntegrityError:  # another transaction added it meanwhile
        return None
    return notification


async def schedule_reminders(session: AsyncSession, now: datetime) -> int:
    """Create the automatic reminders that are due (once per round, phase and kind)."""
    created = 0
    for round_ in (await session.scalars(select(Round))).all():
        for reminder in AUTOMATIC:
            due = reminder.due(round_)
            if not now - CATCH_UP <= due <= now or not date_reminder_applies(round_, reminder):
                continue
            if await _add_once(session, round_, reminder, due) is not None:
                created += 1
    await session.flush()
    return created


async def enter_phase(session: AsyncSession, round_: Round, now: datetime) -> list[Notification]:
    """Queue, due now, the opening messages of the phase the round is in at ``now`` (after
    staff changed it by hand) that its date would have sent; those already sent are not."""
    phase = current_phase(round_, now)
    added = []
    for reminder in AUTOMATIC:
        if reminder.on_entry and reminder.phase is phase:
            notification = await _add_once(session, round_, reminder, now)
            if notification is not None:
                added.append(notification)
    return added
