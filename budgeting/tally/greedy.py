"""Greedy by points (Kraków's rule): most points first, select whatever still fits."""

from __future__ import annotations

from itertools import groupby

from budgeting.tally.model import GREEDY, GreedyStep, TallyInput, TallyResult, Tie
from budgeting.tally.points import project_points


def greedy(inp: TallyInput) -> TallyResult:
    """Walk the projects by points (ties: tie-break order) and select each one that still fits.

    Every set of projects with equal points is recorded as a :class:`Tie`, in the order the
    tie-break put them.
    """
    points = project_points(inp)
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
    steps: list[GreedyStep] = []
    selected: list[str] = []
    for project in ranked:
        fits = project.cost <= remaining
        steps.append(
            GreedyStep(
                project_id=project.id,
                points=points[project.id],
                cost=project.cost,
                remaining_before=remaining,
                selected=fits,
                tie=tie_of.get(project.id),
            )
        )
        if fits:
            selected.append(project.id)
            remaining -= project.cost

    return TallyResult(
        rule=GREEDY,
        selected=tuple(selected),
        points=points,
        steps=tuple(steps),
        budget=inp.budget,
        spent=inp.budget - remaining,
        ties=tuple(ties),
    )
