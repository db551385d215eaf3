"""Submitting, editing and withdrawing ideas, and listing proposals (SKR step 3)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    ON_BALLOT,
    PUBLIC,
    Comment,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
)
from budgeting.phases import Phase, current_phase
from budgeting.remembered_reads import remembered
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import area_of

TITLE_MIN_LENGTH = 3
DESCRIPTION_MIN_LENGTH = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COST = re.compile(r"^\s*(\d{1,3}(?:[\s.,\u00a0\u202f]\d{3})+|\d+)\s*(kr|sek|kronor|:-)?\s*$", re.I)


@dataclass(frozen=True)
class Idea:
    """What a participant proposes, before it is stored."""

    area_id: int
    title: str
    description: str
    cost: int
    photo_ref: str | None = None


def clean_text(text: str) -> str:
    """Normalise Unicode, drop control characters and surrounding white space."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def check_title(round_: Round, title: str) -> str:
    """A cleaned title, or RuleViolation if it is too short or too long."""
    title = clean_text(title)
    if len(title) < TITLE_MIN_LENGTH:
        raise RuleViolation("title_too_short", minimum=TITLE_MIN_LENGTH)
    if len(title) > round_.title_max_length:
        raise RuleViolation("title_too_long", length=len(title), limit=round_.title_max_length)
    return title


def check_description(round_: Round, description: str) -> str:
    """A cleaned description, or RuleViolation if it is too short or too long."""
    description = clean_text(description)
    if len(description) < DESCRIPTION_MIN_LENGTH:
        raise RuleViolation("description_too_short", minimum=DESCRIPTION_MIN_LENGTH)
    if len(description) > round_.description_max_length:
        raise RuleViolation(
            "description_too_long", length=len(description), limit=round_.description_max_length
        )
    return description


def parse_cost(text: str) -> int | None:
    """Read ``50 000``, ``50000 kr`` or ``50.000`` as a whole number of kronor."""
    match = _COST.match(text)
    if not match:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def check_cost(round_: Round, area_id: int, text: str) -> int:
    """A cost within the area's budget, or RuleViolation."""
    cost = parse_cost(text)
    if cost is None or cost <= 0:
        raise RuleViolation("cost_not_a_number")
    area = area_of(round_, area_id)
    limit = area.budget if area else round_.budget
    if cost > limit:
        raise RuleViolation("cost_too_high", limit=limit)
    return cost


def require_ideas_phase(round_: Round, now: datetime) -> None:
    """RuleViolation unless the round accepts ideas right now."""
    if current_phase(round_, now) is not Phase.IDEAS:
        raise RuleViolation("ideas_closed")


def _validated(round_: Round, idea: Idea) -> Idea:
    if area_of(round_, idea.area_id) is None:
        raise RuleViolation("unknown_area")
    return Idea(
        area_id=idea.area_id,
        title=check_title(round_, idea.title),
        description=check_description(round_, idea.description),
        cost=check_cost(round_, idea.area_id, str(idea.cost)),
        photo_ref=idea.photo_ref,
    )


async def submit_idea(
    session: AsyncSession, round_: Round, author: Participant, idea: Idea, now: datetime
) -> Proposal:
    """Store a new idea after checking every rule of the round."""
    require_ideas_phase(round_, now)
    idea = _validated(round_, idea)
    proposal = Proposal(
        round_id=round_.id,
        area_id=idea.area_id,
        author_id=author.id,
        title=idea.title,
        description=idea.description,
        estimated_cost=idea.cost,
        photo_ref=idea.photo_ref,
        status=ProposalStatus.SUBMITTED,
    )
    session.add(proposal)
    await session.flush()
    return proposal


async def own_proposal(
    session: AsyncSession, round_: Round, author: Participant, proposal_id: int
) -> Proposal:
    """The author's own proposal in this round, or RuleViolation."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != round_.id or proposal.author_id != author.id:
        raise RuleViolation("not_your_idea")
    return proposal


async def edit_idea(
    session: AsyncSession,
    round_: Round,
    author: Participant,
    proposal_id: int,
    idea: Idea,
    now: datetime,
) -> Proposal:
    """Change an idea that is still waiting for review, while ideas are open."""
    require_ideas_phase(round_, now)
    proposal = await own_proposal(session, round_, author, proposal_id)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise RuleViolation("idea_locked")
    idea = _validated(round_, idea)
    proposal.area_id = idea.area_id
    proposal.title = idea.title
    proposal.description = idea.description
    proposal.estimated_cost = idea.cost
    if idea.photo_ref:
        proposal.photo_ref = idea.photo_ref
    await session.flush()
    return proposal


async def withdraw_idea(
    session: AsyncSession, round_: Round, author: Participant, proposal_id: int, now: datetime
) -> Proposal:
    """Withdraw an idea that has not been reviewed yet, while ideas are open."""
    require_ideas_phase(round_, now)
    proposal = await own_proposal(session, round_, author, proposal_id)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise RuleViolation("idea_locked")
    proposal.status = ProposalStatus.WITHDRAWN
    await session.flush()
    return proposal


async def ideas_of(session: AsyncSession, round_: Round, author: Participant) -> list[Proposal]:
    """The participant's own ideas in this round, oldest first."""
    stmt = (
        select(Proposal)
        .where(Proposal.round_id == round_.id, Proposal.author_id == author.id)
        .order_by(Proposal.id)
    )
    return list((await session.scalars(stmt)).all())


VISIBLE_PROPOSALS = (
    select(Proposal)
    .where(
        Proposal.round_id == bindparam("round_id"),
        Proposal.area_id == bindparam("area_id"),
        Proposal.status.in_(bindparam("statuses", expanding=True)),
    )
    .order_by(Proposal.id)
)
"""Built once (browsing and voting run it on most turns; building it costs more than
running it from SQLAlchemy's statement cache)."""


async def visible_proposals(
    session: AsyncSession, round_: Round, area_id: int, ballot_only: bool
) -> list[Proposal]:
    """Proposals of an area that residents may see (or only those on the ballot)."""
    statuses = [str(s) for s in (ON_BALLOT if ballot_only else PUBLIC)]
    params = {"round_id": round_.id, "area_id": area_id, "statuses": statuses}

    async def read() -> list[Proposal]:
        return list((await session.scalars(VISIBLE_PROPOSALS, params)).all())

    key = ("visible_proposals", round_.id, area_id, ballot_only)
    return list(await remembered(session, key, ["proposals"], read))


async def visible_proposal(session: AsyncSession, round_: Round, proposal_id: int) -> Proposal:
    """A proposal residents may see in this round, or RuleViolation."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != round_.id or proposal.status not in PUBLIC:
        raise RuleViolation("proposal_unavailable")
    return proposal


async def comment_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """Number of visible comments per proposal."""
    if not proposal_ids:
        return {}

    async def read() -> dict[int, int]:
        rows = await session.execute(COMMENT_COUNTS, {"ids": proposal_ids})
        return {pid: n for pid, n in rows}

    key = ("comment_counts", *proposal_ids)
    return dict(await remembered(session, key, ["comments"], read))


COMMENT_COUNTS = (
    select(Comment.proposal_id, func.count())
    .where(
        Comment.proposal_id.in_(bindparam("ids", expanding=True)),
        Comment.hidden_reason.is_(None),
    )
    .group_by(Comment.proposal_id)
)
