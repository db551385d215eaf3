"""What became of each project in a count, and why: the facts behind one plain sentence.

Pure: built from a :class:`TallyResult` and the projects recorded with it (a TallyRun's
``result`` holds both, see :func:`area_outcomes`).  The wording is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from budgeting.tally.model import (
    BELOW_MINIMUM,
    NO_ROOM,
    SELECTED,
    STOPPED,
    GreedyStep,
    MesLeftover,
    TallyResult,
)

# Reason codes, one per sentence a resident reads.
NO_VOTES = "no_votes"
"""Nobody voted for it (a score of 0)."""
NO_SHARE = "no_share"
"""MES: its supporters' share of the money was not enough to pay for it."""
NOT_SELECTED = "not_selected"
"""Not selected, with no more to say (a count that recorded no step for it)."""
REASONS = (SELECTED, NO_VOTES, BELOW_MINIMUM, NO_ROOM, STOPPED, NO_SHARE, NOT_SELECTED)


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """One project of an area's count.

    ``place`` is 1 for the most points (ties in tie-break order); ``score`` its points, or
    votes on approval ballots.  ``money_left`` is what was left of the area's budget when
    greedy came to it; for MES, ``supporters_money`` is what its supporters still held.
    ``stopped_at`` names the project greedy-no-skip stopped at; ``tied_with`` the projects
    with the same score.
    """

    id: str
    name: str
    place: int
    score: int
    cost: int
    selected: bool
    reason: str
    min_score: int
    money_left: int | None = None
    supporters_money: Fraction | None = None
    stopped_at: str | None = None
    tied_with: tuple[str, ...] = ()


def outcomes(
    result: TallyResult,
    projects: Mapping[str, tuple[int, str]],
    order: Sequence[str] = (),
) -> list[ProjectOutcome]:
    """Every project of ``projects`` (id → (cost, name)) by place.

    ``order`` is the tie-break order of the count (first wins a tie); projects missing
    from it come after, in ``projects`` order.
    """
    position: dict[str, int] = {}
    for pid in [*order, *projects]:
        position.setdefault(pid, len(position))
    score = {pid: result.points.get(pid, 0) for pid in projects}
    ranked = sorted(projects, key=lambda pid: (-score[pid], position[pid]))
    greedy = {s.project_id: s for s in result.steps if isinstance(s, GreedyStep)}
    leftover = {s.project_id: s for s in result.steps if isinstance(s, MesLeftover)}
    chosen = set(result.selected)
    stopped_at = next((s.project_id for s in greedy.values() if s.outcome == NO_ROOM), None)
    found = []
    for place, pid in enumerate(ranked, start=1):
        cost, name = projects[pid]
        step, left = greedy.get(pid), leftover.get(pid)
        reason = _reason(pid in chosen, score[pid], step, left)
        found.append(
            ProjectOutcome(
                id=pid,
                name=name,
                place=place,
                score=score[pid],
                cost=cost,
                selected=pid in chosen,
                reason=reason,
                min_score=result.min_score,
                money_left=step.remaining_before if step is not None else None,
                supporters_money=left.supporters_money if left is not None else None,
                stopped_at=stopped_at if reason == STOPPED else None,
                tied_with=tuple(q for q in ranked if q != pid and score[q] == score[pid]),
            )
        )
    return found


def _reason(selected: bool, score: int, step: GreedyStep | None, left: MesLeftover | None) -> str:
    if selected:
        return SELECTED
    if score == 0:
        return NO_VOTES
    if step is not None:
        return step.outcome if step.outcome != SELECTED else NOT_SELECTED
    if left is not None:
        return BELOW_MINIMUM if left.below_minimum else NO_SHARE
    return NOT_SELECTED


@dataclass(frozen=True, slots=True)
class AreaOutcome:
    """An area's recorded count, read back: its rule, money, ballots and every project."""

    rule: str
    kind: str
    budget: int
    spent: int
    ballots: int
    min_score: int
    seed: int
    tie_break: str
    projects: tuple[ProjectOutcome, ...]

    @property
    def left(self) -> int:
        return self.budget - self.spent

    def project(self, project_id: str) -> ProjectOutcome | None:
        """The outcome of one project, if it was on this area's ballot."""
        return next((p for p in self.projects if p.id == project_id), None)

    @property
    def ties(self) -> bool:
        """True if any two projects had the same score (so the tie-break order mattered)."""
        return any(p.tied_with for p in self.projects)


def area_outcomes(record: Mapping[str, Any]) -> AreaOutcome:
    """A recorded count (``TallyRun.result``) as every project's outcome."""
    result = TallyResult.from_dict(dict(record))
    recorded = record.get("projects") or {}
    projects = {pid: (int(p.get("cost", 0)), str(p.get("name", ""))) for pid, p in recorded.items()}
    for pid in result.points:  # an older record without "projects"
        projects.setdefault(pid, (0, ""))
    return AreaOutcome(
        rule=result.rule,
        kind=result.kind,
        budget=result.budget,
        spent=result.spent,
        ballots=int(record.get("ballots", 0)),
        min_score=result.min_score,
        seed=int(record.get("seed", 0)),
        tie_break=str(record.get("tie_break", "lot")),
        projects=tuple(outcomes(result, projects, list(record.get("order", ())))),
    )
