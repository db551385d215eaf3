"""Build the rounds a test needs, through the ORM models, in the caller's session.

A round is described by small specs (areas with budgets and proposals, criteria, texts in
sv/en/ar) and put in a phase: its dates are moved around ``now``; from the decision on it
also has ballots and a published count, and later council decisions and progress.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from budgeting.models import (
    Area,
    Audience,
    Ballot,
    BallotRank,
    Comment,
    CouncilDecision,
    Criterion,
    ImplementationStatus,
    ImplementationUpdate,
    Participant,
    Proposal,
    ProposalStatus,
    PublishedFile,
    Review,
    Round,
    TallyRun,
)
from budgeting.phases import SCHEDULED, Phase, schedule
from budgeting.services.tally import count_round, publish_results

RECEIPT_PREFIX = "BUILT-"
"""How the receipt codes of :func:`cast_ballots` begin."""
COUNTED = SCHEDULED[SCHEDULED.index(Phase.DECISION) :]
"""Phases in which a round's count is published."""

Texts = tuple[str, str, str]
"""A text in Swedish, English and Arabic."""


def localized(field: str, text: Texts) -> dict[str, dict[str, str]]:
    """``{"sv": {field: ...}, "en": ..., "ar": ...}``, the shape of ``texts`` columns."""
    return {lang: {field: value} for lang, value in zip(("sv", "en", "ar"), text, strict=True)}


@dataclass(frozen=True)
class ProposalSpec:
    """A proposal; ``merged_into`` names (by title) the one it was merged into."""

    title: str
    cost: int
    status: ProposalStatus = ProposalStatus.ACCEPTED
    description: str = ""
    rejection_reason: str | None = None
    merged_into: str | None = None
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreaSpec:
    name: Texts
    budget: int
    proposals: tuple[ProposalSpec, ...] = ()


@dataclass(frozen=True)
class RoundSpec:
    """A round; ``authors`` residents wrote its proposals (and comments) in turn."""

    slug: str
    title: Texts
    budget: int
    areas: tuple[AreaSpec, ...]
    criteria: tuple[Texts, ...] = ()
    description: Texts = ("", "", "")
    audience: Audience = Audience.RESIDENTS
    organisation: str | None = None
    authors: int = 0
    min_ranks: int = 1
    max_ranks: int = 3
    requires_voting_code: bool = False


async def build_round(
    session: AsyncSession, spec: RoundSpec, now: datetime, phase: Phase = Phase.IDEAS
) -> Round:
    """Create the round of ``spec`` (proposals numbered in the spec's order), in ``phase``."""
    title, description = localized("title", spec.title), localized("description", spec.description)
    round_ = Round(
        slug=spec.slug,
        audience=spec.audience,
        organisation=spec.organisation,
        budget=spec.budget,
        min_ranks=spec.min_ranks,
        max_ranks=spec.max_ranks,
        requires_voting_code=spec.requires_voting_code,
        texts={lang: {**title[lang], **description[lang]} for lang in title},
    )
    schedule(round_, Phase.IDEAS, now)
    for i, area in enumerate(spec.areas):
        texts = localized("name", area.name)
        round_.areas.append(Area(position=i, texts=texts, budget=area.budget))
    for i, criterion in enumerate(spec.criteria):
        round_.criteria.append(Criterion(position=i, texts=localized("name", criterion)))
    session.add(round_)
    await session.flush()
    authors = [Participant(display_name=f"Author {i}", locale="sv") for i in range(spec.authors)]
    session.add_all(authors)
    await session.flush()
    await _add_proposals(session, round_, spec, authors)
    await put_in_phase(session, round_, phase, now)
    return round_


async def _add_proposals(
    session: AsyncSession, round_: Round, spec: RoundSpec, authors: Sequence[Participant]
) -> None:
    def author(n: int) -> int | None:
        return authors[n % len(authors)].id if authors else None

    made: dict[str, Proposal] = {}
    pairs = zip(round_.areas, spec.areas, strict=True)
    specs = [(area, p) for area, a in pairs for p in a.proposals]
    for n, (area, p) in enumerate(specs):
        proposal = Proposal(
            round_id=round_.id,
            area_id=area.id,
            author_id=author(n),
            title=p.title,
            description=p.description or f"{p.title}.",
            estimated_cost=p.cost,
            status=p.status,
            rejection_reason=p.rejection_reason,
        )
        if p.status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED):
            last = len(round_.criteria) - 1  # a rejected proposal fails the last criterion
            proposal.reviews = [
                Review(criterion_id=c.id, met=p.status == ProposalStatus.ACCEPTED or i != last)
                for i, c in enumerate(round_.criteria)
            ]
        session.add(proposal)
        made[p.title] = proposal
    await session.flush()
    for n, (_, p) in enumerate(specs):
        if p.merged_into:
            made[p.title].merged_into_id = made[p.merged_into].id
        for i, body in enumerate(p.comments):
            session.add(
                Comment(proposal_id=made[p.title].id, author_id=author(n + 1 + i), body=body)
            )
    await session.flush()


async def rounds_in_phase(
    session: AsyncSession, now: datetime, phase: Phase, *specs: RoundSpec
) -> list[Round]:
    """The rounds of ``specs`` (built the first time, in order) put in ``phase``."""
    slugs = [spec.slug for spec in specs]
    stmt = select(Round.slug).where(Round.slug.in_(slugs))
    existing = set((await session.scalars(stmt)).all())
    for spec in specs:
        if spec.slug not in existing:
            await build_round(session, spec, now)
    stmt = (
        select(Round)
        .options(selectinload(Round.areas), selectinload(Round.criteria))
        .where(Round.slug.in_(slugs))
        .execution_options(populate_existing=True)
    )
    by_slug = {r.slug: r for r in (await session.scalars(stmt)).all()}
    rounds = [by_slug[slug] for slug in slugs]
    for round_ in rounds:
        await put_in_phase(session, round_, phase, now)
    return rounds


async def put_in_phase(session: AsyncSession, round_: Round, phase: Phase, now: datetime) -> None:
    """Dates for ``phase``; a published count from the decision on, none before it."""
    schedule(round_, phase, now)
    round_.results_published_at = None
    await session.execute(delete(PublishedFile).where(PublishedFile.round_id == round_.id))
    await session.flush()
    if phase not in COUNTED:
        await _uncount(session, round_)
        return
    has_ballots = await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)
    )
    if not has_ballots:
        await cast_ballots(session, round_)
    await count_round(session, round_, "greedy", now=now, seed=2027)
    await publish_results(session, round_, now)
    if phase is not Phase.DECISION:
        await _decide(session, round_, done_all=phase is Phase.FOLLOWUP)


async def _uncount(session: AsyncSession, round_: Round) -> None:
    """Back to before the count: proposals on the ballot again, no recorded counts."""
    await session.execute(delete(TallyRun).where(TallyRun.round_id == round_.id))
    await session.execute(
        update(Proposal)
        .where(
            Proposal.round_id == round_.id,
            Proposal.status.in_([ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED]),
        )
        .values(
            status=ProposalStatus.ACCEPTED,
            council_decision=None,
            implementation_status=None,
            progress=0,
        )
    )


async def _decide(session: AsyncSession, round_: Round, done_all: bool) -> None:
    """The council approves every selected proposal; the first (or all) done, others at 40 %."""
    stmt = select(Proposal).where(
        Proposal.round_id == round_.id, Proposal.status == ProposalStatus.SELECTED
    )
    for n, proposal in enumerate((await session.scalars(stmt)).all()):
        done = done_all or n == 0
        proposal.council_decision = CouncilDecision.APPROVED
        proposal.implementation_status = (
            ImplementationStatus.DONE if done else ImplementationStatus.IN_PROGRESS
        )
        proposal.progress = 100 if done else 40
        session.add(
            ImplementationUpdate(
                proposal_id=proposal.id,
                status=proposal.implementation_status,
                progress=proposal.progress,
                body="Arbetet är igång enligt plan.",
            )
        )
    await session.flush()


async def cast_ballots(
    session: AsyncSession, round_: Round, voters: int = 120, seed: int = 2027
) -> None:
    """Anonymous ballots spread evenly over the areas, random but the same for a seed."""
    rng = random.Random(seed)
    for area in round_.areas:
        stmt = select(Proposal.id).where(
            Proposal.area_id == area.id, Proposal.status == ProposalStatus.ACCEPTED
        )
        on_ballot = list((await session.scalars(stmt)).all())
        for n in range(voters // len(round_.areas)):
            ranking = rng.sample(on_ballot, k=min(round_.max_ranks, len(on_ballot)))
            ballot = Ballot(
                round_id=round_.id,
                area_id=area.id,
                participant_id=None,
                receipt_code=f"{RECEIPT_PREFIX}{area.id:02d}{n:03d}",
            )
            ballot.ranks = [BallotRank(position=i, proposal_id=p) for i, p in enumerate(ranking)]
            session.add(ballot)
    await session.flush()
