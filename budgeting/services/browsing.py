"""Finding proposals: the listing of an area or a word's matches, sorted and paged.

Rejected and merged ideas stay listed (after the others) so that residents see what became
of them. Matching a word happens in Python (casefolded, NFC) so that å, ä, ö and Arabic
behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import ON_BALLOT, PUBLIC, Comment, Proposal, ProposalStatus, Round, Support
from budgeting.services.errors import RuleViolation

PAGE_SIZE = 8
WORD_MAX_LENGTH = 60
SETTLED = (ProposalStatus.REJECTED, ProposalStatus.MERGED)
"""Off the ballot with an official answer: listed, marked, after the others."""


class Sort(StrEnum):
    """How a listing is ordered; the values travel in button payloads."""

    NEWEST = "new"
    SUPPORTED = "sup"
    DISCUSSED = "com"


@dataclass(frozen=True)
class Listed:
    """A proposal in a listing, with what residents see of its support and discussion."""

    proposal: Proposal
    supports: int
    comments: int


@dataclass(frozen=True)
class Page:
    """One page of a listing: ``number`` is 0-based; ``total`` counts every match."""

    items: list[Listed]
    number: int
    pages: int
    total: int


def folded(text: str) -> str:
    """``text`` ready for comparison: NFC-normalised and casefolded."""
    return unicodedata.normalize("NFC", text).casefold()


def clean_word(text: str) -> str:
    """The search words, trimmed, without control characters (empty if nothing is left)."""
    return " ".join("".join(c for c in text if c.isprintable()).split())[:WORD_MAX_LENGTH]


def matches(word: str, proposal: Proposal) -> bool:
    """True if every word of ``word`` occurs in the proposal's number, title or text."""
    haystack = folded(f"#{proposal.id} {proposal.title} {proposal.description}")
    return all(part in haystack for part in folded(word).split())


def listed_statuses(ballot_only: bool) -> list[str]:
    """Statuses a listing shows: the public ones (or the ballot's), and the settled ones."""
    return [str(s) for s in (*(ON_BALLOT if ballot_only else PUBLIC), *SETTLED)]


async def listing(
    session: AsyncSession,
    round_: Round,
    *,
    area_id: int | None,
    ballot_only: bool,
    sort: Sort = Sort.NEWEST,
    word: str | None = None,
    page: int = 0,
    size: int = PAGE_SIZE,
) -> Page:
    """Page ``page`` of the round's (or one area's) proposals in ``sort`` order."""
    supports = (
        select(Support.proposal_id, func.count().label("n"))
        .group_by(Support.proposal_id)
        .subquery()
    )
    comments = (
        select(Comment.proposal_id, func.count().label("n"))
        .where(Comment.hidden_reason.is_(None))
        .group_by(Comment.proposal_id)
        .subquery()
    )
    n_supports = func.coalesce(supports.c.n, 0)
    n_comments = func.coalesce(comments.c.n, 0)
    settled = case((Proposal.status.in_([str(s) for s in SETTLED]), 1), else_=0)
    first = {
        Sort.NEWEST: Proposal.created_at.desc(),
        Sort.SUPPORTED: n_supports.desc(),
        Sort.DISCUSSED: n_comments.desc(),
    }[sort]
    stmt = (
        select(Proposal, n_supports, n_comments)
        .outerjoin(supports, supports.c.proposal_id == Proposal.id)
        .outerjoin(comments, comments.c.proposal_id == Proposal.id)
        .where(Proposal.round_id == round_.id, Proposal.status.in_(listed_statuses(ballot_only)))
        .order_by(settled, first, Proposal.id.desc())
    )
    if area_id is not None:
        stmt = stmt.where(Proposal.area_id == area_id)
    found = [Listed(p, s, c) for p, s, c in (await session.execute(stmt)).all()]
    if word:
        found = [item for item in found if matches(word, item.proposal)]
    pages = max(1, -(-len(found) // size))
    number = min(max(page, 0), pages - 1)
    return Page(found[number * size : (number + 1) * size], number, pages, len(found))


async def listed_proposal(session: AsyncSession, round_: Round, proposal_id: int) -> Proposal:
    """A proposal a listing may show (a rejected or merged one too), or RuleViolation."""
    proposal = await session.get(Proposal, proposal_id)
    allowed = listed_statuses(ballot_only=False)
    if proposal is None or proposal.round_id != round_.id or proposal.status not in allowed:
        raise RuleViolation("proposal_unavailable")
    return proposal
