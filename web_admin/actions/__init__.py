"""What staff do, as plain async functions: change the database, tell participants, audit.

Routes parse forms and call these; each action writes one ``AuditEntry`` and puts what
participants must be told into the outbox (``budgeting.services.notifications.enqueue``).
Nothing here commits: the caller does, so an action and its audit entry land together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import AuditEntry, NotificationKind, Proposal, StaffUser
from budgeting.services.notifications import enqueue
from web_admin.queries import has_followers


class ActionRefused(Exception):
    """A staff action that cannot be done; ``message`` is an English msgid with ``{params}``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


async def audit(
    session: AsyncSession,
    staff: StaffUser | None,
    action: str,
    target: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Record one staff action (no passwords, no participants' personal data)."""
    entry = AuditEntry(
        staff_user_id=staff.id if staff else None, action=action, target=target, details=details
    )
    session.add(entry)
    await session.flush()
    return entry


async def tell_followers(
    session: AsyncSession,
    kind: NotificationKind,
    proposal: Proposal,
    params: dict[str, Any],
    due_at: Any = None,
) -> bool:
    """Queue a message for everyone following ``proposal`` (nothing if nobody follows)."""
    if not await has_followers(session, proposal.id):
        return False
    await enqueue(
        session,
        kind,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        payload={"params": {"proposal_id": proposal.id, **params}},
        due_at=due_at,
    )
    return True
