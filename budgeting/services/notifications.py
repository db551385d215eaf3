"""Putting messages for participants into the outbox; ``bot/`` delivers them.

A notification's ``payload`` never holds finished text in one language. It holds
what is needed to word it for each recipient at delivery time:

- ``{"params": {...}}`` for kinds whose wording lives in the dialogs' catalogs
  (review outcome, results, decision, implementation update, reminders), e.g.
  ``{"params": {"proposal_id": 12, "reason": "..."}}``;
- ``{"texts": {"sv": "...", "en": "..."}}`` for staff-written broadcasts, each
  recipient getting their language or Swedish;
- an optional ``"audience"`` filter for broadcasts: ``{"area_id": 3}``,
  ``{"voted": false}``, ``{"followers_of": 12}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Notification, NotificationKind, utcnow


async def enqueue(
    session: AsyncSession,
    kind: NotificationKind,
    *,
    round_id: int | None,
    proposal_id: int | None = None,
    participant_id: int | None = None,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> Notification:
    """Add a notification to the outbox in the caller's transaction."""
    notification = Notification(
        kind=kind.value,
        round_id=round_id,
        proposal_id=proposal_id,
        participant_id=participant_id,
        payload=payload or {},
        due_at=due_at or utcnow(),
        status="pending",
    )
    session.add(notification)
    await session.flush()
    return notification
