"""Ideas of a round that look like a draft, or like each other (suggested duplicates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import PUBLIC, Proposal
from budgeting.similarity import idea_text, similar, similar_pairs


@dataclass(frozen=True)
class SimilarIdea:
    """A proposal found similar, with its score (0–1)."""

    proposal: Proposal
    score: float


async def public_ideas(session: AsyncSession, round_id: int) -> list[Proposal]:
    """The proposals of a round that residents can see, oldest first."""
    stmt = (
        select(Proposal)
        .where(Proposal.round_id == round_id, Proposal.status.in_([str(s) for s in PUBLIC]))
        .order_by(Proposal.id)
    )
    return list((await session.scalars(stmt)).all())


async def similar_to_draft(
    session: AsyncSession,
    round_id: int,
    title: str,
    description: str,
    editing: int | None = None,
) -> list[SimilarIdea]:
    """The round's public proposals most like a draft idea (at most 3, best first)."""
    ideas = {p.id: p for p in await public_ideas(session, round_id) if p.id != editing}
    texts = {p.id: idea_text(p.title, p.description) for p in ideas.values()}
    return [
        SimilarIdea(ideas[m.key], m.score) for m in similar(idea_text(title, description), texts)
    ]


async def suggested_duplicates(
    session: AsyncSession, round_id: int, shown: Sequence[Proposal] | None = None
) -> dict[int, list[SimilarIdea]]:
    """For each proposal of ``shown`` (default: all public ones), the public proposals of
    the round that look like it, best first (none for a proposal with none)."""
    ideas = {p.id: p for p in await public_ideas(session, round_id)}
    for p in shown or ():
        ideas.setdefault(p.id, p)
    pairs = similar_pairs({p.id: idea_text(p.title, p.description) for p in ideas.values()})
    wanted = {p.id for p in shown} if shown is not None else set(ideas)
    return {
        key: [SimilarIdea(ideas[m.key], m.score) for m in matches if m.key in ideas]
        for key, matches in pairs.items()
        if key in wanted
    }
