"""Comment moderation: hide a comment with a reason its author receives, or show it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, NotificationKind, Proposal, StaffUser, utcnow
from budgeting.services import rules
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import clean_text
from budgeting.services.staff.audit import audit
from budgeting.services.staff.flags import resolve_flags
from budgeting.services.staff.review import REASON_MAX_LENGTH


async def hide_comment(
    session: AsyncSession,
    staff: StaffUser,
    comment: Comment,
    proposal: Proposal,
    reason: str,
    now: datetime,
) -> None:
    """Hide the comment from residents and tell its author why; open flags are settled."""
    reason = clean_text(reason)[:REASON_MAX_LENGTH]
    rules.check_hide(comment, reason)
    comment.hidden_reason = reason
    comment.hidden_at = now
    flags = await resolve_flags(session, comment, now)
    await audit(session, staff, "comment.hide", f"comment:{comment.id}", reason=reason, flags=flags)
    if comment.author_id is not None:
        await enqueue(
            session,
            NotificationKind.COMMENT_HIDDEN,
            round_id=proposal.round_id,
            proposal_id=proposal.id,
            participant_id=comment.author_id,
            payload={"params": {"proposal_id": proposal.id, "reason": reason}},
            due_at=now,
        )


async def show_comment(
    session: AsyncSession, staff: StaffUser, comment: Comment, now: datetime | None = None
) -> None:
    """Undo hiding, by staff or by flags (the author is not told again); open flags close."""
    rules.check_show(comment)
    comment.hidden_reason = None
    comment.hidden_by_flags = False
    comment.hidden_at = None
    flags = await resolve_flags(session, comment, now or utcnow())
    await audit(session, staff, "comment.show", f"comment:{comment.id}", flags=flags)
    await session.flush()
