"""Residents flag comments; enough different residents hide one at once, pending review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, CommentFlag, NotificationKind, Participant, Proposal, Round
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import visible_proposal


@dataclass(frozen=True)
class Flagged:
    """What flagging did: the comment, and whether this flag hid it."""

    comment: Comment
    hidden: bool


async def flaggable_comment(
    session: AsyncSession, round_: Round, participant: Participant, comment_id: int
) -> tuple[Comment, Proposal]:
    """A visible comment of the participant's round they may flag, or RuleViolation."""
    comment = await session.get(Comment, comment_id)
    if comment is None:
        raise RuleViolation("comment_unavailable")
    proposal = await visible_proposal(session, round_, comment.proposal_id)
    rules.check_flag(
        comment,
        participant.id,
        rules.FLAG_REASONS[0],
        await has_flagged(session, comment, participant),
    )
    return comment, proposal


async def has_flagged(session: AsyncSession, comment: Comment, participant: Participant) -> bool:
    """True if the participant has flagged the comment (open or resolved)."""
    stmt = select(CommentFlag.id).where(
        CommentFlag.comment_id == comment.id, CommentFlag.participant_id == participant.id
    )
    return (await session.scalar(stmt)) is not None


async def open_flag_reasons(session: AsyncSession, comment_id: int) -> list[str]:
    """The reasons of the comment's flags that staff have not dealt with yet."""
    stmt = select(CommentFlag.reason).where(
        CommentFlag.comment_id == comment_id, CommentFlag.resolved_at.is_(None)
    )
    return list((await session.scalars(stmt)).all())


async def flag_comment(
    session: AsyncSession,
    round_: Round,
    participant: Participant,
    comment_id: int,
    reason: str,
    now: datetime,
) -> Flagged:
    """Record the participant's flag; at the round's threshold hide the comment and tell
    its writer why (in the outbox, in this transaction)."""
    found = await session.scalar(
        select(Comment).where(Comment.id == comment_id).with_for_update()
    )  # serialises flags on one comment, so the threshold is seen exactly once
    if found is None:
        raise RuleViolation("comment_unavailable")
    comment, proposal = await flaggable_comment(session, round_, participant, found.id)
    rules.check_flag(comment, participant.id, reason, already=False)
    try:
        async with session.begin_nested():
            session.add(
                CommentFlag(
                    comment_id=comment.id,
                    participant_id=participant.id,
                    reason=reason,
                    created_at=now,
                )
            )
    except IntegrityError as clash:  # the same person, twice at once
        raise RuleViolation("already_flagged") from clash
    reasons = await open_flag_reasons(session, comment.id)
    if not rules.reaches_threshold(len(reasons), round_.flag_threshold):
        return Flagged(comment, hidden=False)
    main = rules.main_reason(reasons)
    comment.hidden_reason = main
    comment.hidden_by_flags = True
    comment.hidden_at = now
    await session.flush()
    if comment.author_id is not None:
        await enqueue(
            session,
            NotificationKind.COMMENT_HIDDEN,
            round_id=proposal.round_id,
            proposal_id=proposal.id,
            participant_id=comment.author_id,
            payload={
                "params": {
                    "proposal_id": proposal.id,
                    "comment_id": comment.id,
                    "flag_reason": main,
                    "flags": len(reasons),
                }
            },
            due_at=now,
        )
    return Flagged(comment, hidden=True)


async def open_flag_count(session: AsyncSession, comment_id: int) -> int:
    """How many open flags the comment has."""
    stmt = (
        select(func.count())
        .select_from(CommentFlag)
        .where(CommentFlag.comment_id == comment_id, CommentFlag.resolved_at.is_(None))
    )
    return int(await session.scalar(stmt) or 0)
