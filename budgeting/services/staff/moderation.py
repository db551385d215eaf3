"""Comment moderation: hide a comment with a reason its author receives, or show it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, NotificationKind, Proposal, StaffUser
from budgeting.services import rules
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import clean_text
from budgeting.services.staff.audit import audit
from budgeting.services.staff.review import REASON_MAX_LENGTH


async def hide_comment(
    session: AsyncSession,
    staff: StaffUser,
    comment: Comment,
    proposal: Proposal,
    reason: str,
    now: datetime,
) -> None:
    """Hide the comment from residents and tell its author why."""
    reason = clean_text(reason)[:REASON_MAX_LENGTH]
    rules.check_hide(comment, reason)
    comment.hidden_reason = reason
    await audit(session, staff, "comment.hide", f"comment:{comment.id}", reason=reason)
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


async def show_comment(session: AsyncSession, staff: StaffUser, comment: Comment) -> None:
    """Undo hiding (the author is not told again)."""
    rules.check_show(comment)
    comment.hidden_reason = None
    await audit(session, staff, "comment.show", f"comment:{comment.id}")
    await session.flush()
