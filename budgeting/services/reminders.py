"""The reminders every round sends by itself: created in the outbox once they are due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Notification, NotificationKind, Round
from budgeting.phases import Phase, closes_at, opens_at

AUTOMATIC = {
    NotificationKind.IDEAS_OPEN: lambda r: opens_at(r, Phase.IDEAS),
    NotificationKind.VOTING_OPENS: lambda r: opens_at(r, Phase.VOTING),
    NotificationKind.VOTING_CLOSES: lambda r: closes_at(r, Phase.VOTING) - timedelta(hours=24),
    NotificationKind.SURVEY: lambda r: opens_at(r, Phase.FOLLOWUP),
}
"""Reminders every round sends by itself, and when."""
CATCH_UP = timedelta(days=1)
"""How late a reminder is still created (a worker that was down catches up this far)."""


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
