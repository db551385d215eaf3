"""Reading a paper ballot from the admin's forms: the entry form, shaped by the round's
ballot kind, and the reviewed form, which carries the ballot as hidden fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from budgeting.models import BallotKind, Proposal, Round
from budgeting.services.staff.paper import PaperBallot, check_no_gaps, refusal
from web_admin.forms import text, whole_number

FORGED = -1
"""Stands for a project id that is not a number: no project has it, so the rules refuse it."""
CODE_LIMIT = 64


def _id(value: str) -> int:
    number = whole_number(value)
    return FORGED if number is None else number


def _values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str)]


def area_of(form: FormData) -> int:
    """The area named by the form (FORGED if it is not a number)."""
    return _id(text(form, "area", 30))


def from_entry(form: FormData, round_: Round, on_ballot: Sequence[Proposal]) -> PaperBallot:
    """The ballot as keyed into the entry form; RuleViolation for a gap in the ranking or
    points that are no whole number."""
    area_id, code = area_of(form), text(form, "code", CODE_LIMIT)
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        ids, points = [], []
        for proposal in on_ballot:
            given = text(form, f"points-{proposal.id}", 30)
            number = whole_number(given) if given else 0
            if number is None:
                raise refusal("paper_points_number", maximum=round_.points_per_project)
            if number:
                ids.append(proposal.id)
                points.append(number)
        return PaperBallot(area_id, tuple(ids), tuple(points), code)
    if round_.ballot_kind == BallotKind.APPROVAL:
        chosen = _values(form, "choice")[: len(on_ballot) + 1]
        return PaperBallot(area_id, tuple(_id(v) for v in chosen), None, code)
    ranks = [text(form, f"rank-{n}", 30) for n in range(1, round_.max_ranks + 1)]
    check_no_gaps(ranks)
    return PaperBallot(area_id, tuple(_id(v) for v in ranks if v), None, code)


def from_review(form: FormData, round_: Round) -> PaperBallot:
    """The ballot the review page carried in hidden fields (checked again when stored)."""
    limit = max(round_.max_ranks, round_.points_total) + 1
    ids = tuple(_id(v) for v in _values(form, "project")[:limit])
    points = None
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        points = tuple(
            min(whole_number(v) or 0, round_.points_total + 1)
            for v in _values(form, "points")[:limit]
        )
    return PaperBallot(area_of(form), ids, points, text(form, "code", CODE_LIMIT))


@dataclass
class EntryValues:
    """What the entry form shows filled in (after a refusal, or to change a ballot)."""

    ranks: list[int] = field(default_factory=list)
    chosen: set[int] = field(default_factory=set)
    points: dict[int, int] = field(default_factory=dict)
    code: str = ""


def entry_values(paper: PaperBallot | None) -> EntryValues:
    """The entry form's values for ``paper`` (empty for a new ballot)."""
    if paper is None:
        return EntryValues()
    return EntryValues(
        ranks=list(paper.proposal_ids),
        chosen=set(paper.proposal_ids),
        points=dict(zip(paper.proposal_ids, paper.points or (), strict=False)),
        code=paper.code,
    )


def typed_values(form: FormData, round_: Round, on_ballot: Sequence[Proposal]) -> EntryValues:
    """The entry form's values as typed, to show the form again after a refusal."""
    ids = {p.id for p in on_ballot}
    ranks = [_id(text(form, f"rank-{n}", 30)) for n in range(1, round_.max_ranks + 1)]
    points = {p.id: whole_number(text(form, f"points-{p.id}", 30)) for p in on_ballot}
    return EntryValues(
        ranks=[r if r in ids else FORGED for r in ranks],
        chosen={_id(v) for v in _values(form, "choice")} & ids,
        points={pid: n for pid, n in points.items() if n},
        code=text(form, "code", CODE_LIMIT),
    )
