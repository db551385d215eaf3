"""Comments on proposals and following them (the residents' discussion)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, Follower, Participant, Proposal
from budgeting.services.comment_notices import tell_about_comment
from budgeting.services.errors import RuleViolation
from budgeting.services.proposals import clean_text

COMMENT_MAX_LENGTH = 1000


async def add_comment(
    session: AsyncSession,
    proposal: Proposal,
    author: Participant,
    body: str,
    now: datetime | None = None,
) -> Comment:
    """Store a comment after checking its length, and tell those it concerns (batched).

    ``now`` (the turn's clock) dates the comment; by default the time it is stored.
    """
    body = clean_text(body)
    if not body:
        raise RuleViolation("comment_empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise RuleViolation("comment_too_long", length=len(body), limit=COMMENT_MAX_LENGTH)
    comment = Comment(proposal_id=proposal.id, author_id=author.id, body=body)
    if now is not None:
        comment.created_at = now
    session.add(comment)
    await session.flush()
    await tell_about_comment(session, comment, now)
    return comment


async def comments_on(session: AsyncSession, proposal: Proposal, limit: int = 10) -> list[Comment]:
    """The newest visible comments, oldest of them first."""
    stmt = (
        select(Comment)
        .where(Comment.proposal_id == proposal.id, Comment.hidden_reason.is_(None))
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    return list(reversed((await session.scalars(stmt)).all()))


async def is_following(session: AsyncSession, participant: Participant, proposal_id: int) -> bool:
    """True if the participant follows the proposal."""
    stmt = select(Follower.id).where(
        Follower.participant_id == participant.id, Follower.proposal_id == proposal_id
    )
    return (await session.scalar(stmt)) is not None


async def follow(session: AsyncSession, participant: Participant, proposal: Proposal) -> None:
    """Follow a proposal (idempotent)."""
    if not await is_following(session, participant, proposal.id):
        session.add(Follower(participant_id=participant.id, proposal_id=proposal.id))
        await session.flush()


async def unfollow(session: AsyncSession, participant: Participant, proposal_id: int) -> None:
    """Stop following a proposal (idempotent)."""
    await session.execute(
        delete(Follower).where(
            Follower.participant_id == participant.id, Follower.proposal_id == proposal_id
        )
    )


async def followed(session: AsyncSession, participant: Participant) -> list[Proposal]:
    """Proposals the participant follows."""
    stmt = (
        select(Proposal)
        .join(Follower, Follower.proposal_id == Proposal.id)
        .where(Follower.participant_id == participant.id)
        .order_by(Proposal.id)
    )
    return list((await session.scalars(stmt)).all())
