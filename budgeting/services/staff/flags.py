"""The flag queue: comments residents flagged, most flagged first, and what staff do."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, CommentFlag, Proposal, StaffUser
from budgeting.services import rules
from budgeting.services.flagging import open_flag_count
from budgeting.services.staff.audit import audit


@dataclass(frozen=True)
class FlaggedComment:
    """One entry of the queue: the comment, its proposal, open flags per reason."""

    comment: Comment
    proposal: Proposal
    reasons: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.reasons.values())


async def flag_queue(
    session: AsyncSession, round_id: int, limit: int = 200
) -> list[FlaggedComment]:
    """The round's comments with open flags: most flags first, then the longest waiting."""
    totals = (
        select(
            CommentFlag.comment_id,
            func.count().label("flags"),
            func.min(CommentFlag.created_at).label("first"),
        )
        .where(CommentFlag.resolved_at.is_(None))
        .group_by(CommentFlag.comment_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Comment, Proposal)
            .join(totals, totals.c.comment_id == Comment.id)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(Proposal.round_id == round_id)
            .order_by(totals.c.flags.desc(), totals.c.first, Comment.id)
            .limit(limit)
        )
    ).all()
    ids = [c.id for c, _p in rows]
    by_comment: dict[int, Counter[str]] = {i: Counter() for i in ids}
    if ids:
        reasons = await session.execute(
            select(CommentFlag.comment_id, CommentFlag.reason, func.count())
            .where(CommentFlag.comment_id.in_(ids), CommentFlag.resolved_at.is_(None))
            .group_by(CommentFlag.comment_id, CommentFlag.reason)
        )
        for comment_id, reason, n in reasons:
            by_comment[comment_id][reason] = n
    return [
        FlaggedComment(
            c, p, {r: by_comment[c.id][r] for r in rules.FLAG_REASONS if by_comment[c.id][r]}
        )
        for c, p in rows
    ]


async def flagged_count(session: AsyncSession, round_id: int) -> int:
    """How many comments of the round wait in the flag queue."""
    stmt = (
        select(func.count(func.distinct(CommentFlag.comment_id)))
        .join(Comment, Comment.id == CommentFlag.comment_id)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.round_id == round_id, CommentFlag.resolved_at.is_(None))
    )
    return int(await session.scalar(stmt) or 0)


async def resolve_flags(session: AsyncSession, comment: Comment, now: datetime) -> int:
    """Mark the comment's open flags as dealt with; how many there were."""
    result = await session.execute(
        update(CommentFlag)
        .where(CommentFlag.comment_id == comment.id, CommentFlag.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    return int(result.rowcount or 0)


async def keep_hidden(
    session: AsyncSession, staff: StaffUser, comment: Comment, now: datetime
) -> None:
    """Uphold the residents' flags on a comment they hid (its writer was told then)."""
    rules.check_show(comment)  # it must be hidden
    flags = await open_flag_count(session, comment.id)
    rules.check_open_flags(flags)
    await resolve_flags(session, comment, now)
    await audit(session, staff, "comment.flags_upheld", f"comment:{comment.id}", flags=flags)


async def dismiss_flags(
    session: AsyncSession, staff: StaffUser, comment: Comment, now: datetime
) -> None:
    """The flags were unfounded: the comment stays (or becomes) visible, the flags close."""
    flags = await open_flag_count(session, comment.id)
    rules.check_open_flags(flags)
    await resolve_flags(session, comment, now)
    if comment.hidden_reason is not None:
        comment.hidden_reason = None
        comment.hidden_by_flags = False
        comment.hidden_at = None
    await audit(session, staff, "comment.flags_dismissed", f"comment:{comment.id}", flags=flags)
    await session.flush()
