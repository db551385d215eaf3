"""Staff answering in a proposal's discussion, signed with the round's organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import Comment, Proposal, StaffUser
from budgeting.services import discussion
from budgeting.services.errors import RuleViolation
from budgeting.services.staff.audit import audit

REFUSALS = {
    "comment_empty": _("Write the answer first."),
    "comment_too_long": _("The answer is {length} characters long; the limit is {limit}."),
    "comment_unavailable": _("Choose a visible comment of this proposal to answer."),
}


async def answer(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    body: str,
    reply_to_id: int | None,
    now: datetime,
) -> Comment:
    """Post a staff answer on ``proposal`` (or to one of its comments); refusals are worded
    for staff."""
    reply_to = await session.get(Comment, reply_to_id) if reply_to_id else None
    try:
        if reply_to_id and reply_to is None:
            raise RuleViolation("comment_unavailable")
        comment = await discussion.add_staff_answer(
            session, staff, proposal, body, reply_to=reply_to, now=now
        )
    except RuleViolation as refused:
        raise RuleViolation(refused.code, REFUSALS[refused.code], **refused.params) from None
    await audit(session, staff, "comment.answer", f"comment:{comment.id}")
    return comment
