"""Telling the followers of a proposal what staff changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Follower, NotificationKind, Proposal
from budgeting.services.notifications import enqueue


async def has_followers(session: AsyncSession, proposal_id: int) -> bool:
    """True if anybody follows the proposal."""
    stmt = select(Follower.id).where(Follower.proposal_id == proposal_id).limit(1)
    return (await session.scalar(stmt)) is not None


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
