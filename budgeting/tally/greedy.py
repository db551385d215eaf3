"""Greedy by points (Kraków's rule): most points first, select whatever still fits."""

from __future__ import annotations

from itertools import groupby

from budgeting.tally.model import (
    BELOW_MINIMUM,
    GREEDY,
    GREEDY_NO_SKIP,
    NO_ROOM,
    SELECTED,
    STOPPED,
    GreedyStep,
    TallyInput,
    TallyResult,
    Tie,
)
from budgeting.tally.points import project_points


def greedy(inp: TallyInput, rule: str = GREEDY) -> TallyResult:
    """Walk the projects by points (ties: tie-break order) and select each one that still fits.

    A project below ``inp.min_score`` is passed over; with ``greedy-no-skip`` the walk stops
    at the first project that does not fit.  Every set of projects with equal points is
    recorded as a :class:`Tie`, in the order the tie-break put them.
    """
    return greedy_from_points(inp, project_points(inp), rule)


def greedy_from_points(inp: TallyInput, points: dict[str, int], rule: str = GREEDY) -> TallyResult:
    """:func:`greedy` on scores already summed (``inp.ballots`` is not read)."""
    position = {p.id: i for i, p in enumerate(inp.projects)}
    ranked = sorted(inp.projects, key=lambda p: (-points[p.id], position[p.id]))

    ties: list[Tie] = []
    tie_of: dict[str, Tie] = {}
    for value, group in groupby(ranked, key=lambda p: points[p.id]):
        members = tuple(p.id for p in group)
        if len(members) > 1:
            tie = Tie(project_ids=members, value=value)
            ties.append(tie)
            tie_of.update(dict.fromkeys(members, tie))

    remaining = inp.budget
    stopped = False
    steps: list[GreedyStep] = []
    selected: list[str] = []
    for project in ranked:
        if points[project.id] < inp.min_score:
            outcome = BELOW_MINIMUM
        elif stopped:
            outcome = STOPPED
        elif project.cost <= remaining:
            outcome = SELECTED
        else:
            outcome = NO_ROOM
            stopped = rule == GREEDY_NO_SKIP
        steps.append(
            GreedyStep(
                project_id=project.id,
                points=points[project.id],
                cost=project.cost,
                remaining_before=remaining,
                selected=outcome == SELECTED,
                tie=tie_of.get(project.id),
                outcome=outcome,
            )
        )
        if outcome == SELECTED:
            selected.append(project.id)
            remaining -= project.cost

    return TallyResult(
        rule=rule,
        selected=tuple(selected),
        points=points,
        steps=tuple(steps),
        budget=inp.budget,
        spent=inp.budget - remaining,
        ties=tuple(ties),
        min_score=inp.min_score,
        kind=inp.kind,
    )
