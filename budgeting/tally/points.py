"""Points per ballot: by rank (position i of K earns K - i), one per chosen project
(approval), or as the voter spread them (cumulative)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import count, repeat

from budgeting.tally.model import APPROVAL, CUMULATIVE, ORDINAL, TallyInput


def ballot_points(
    ballot: Iterable[str], max_ranks: int, kind: str = ORDINAL, given: Iterable[int] = ()
) -> Iterator[tuple[str, int]]:
    """``(project_id, points)`` for one ballot, in ballot order."""
    if kind == CUMULATIVE:
        return zip(ballot, given, strict=True)
    if kind == APPROVAL:
        return zip(ballot, repeat(1))
    return zip(ballot, count(max_ranks, -1))


def scored_ballots(inp: TallyInput) -> Iterator[tuple[tuple[str, int], ...]]:
    """Every ballot of ``inp`` as ``((project_id, points), ...)``."""
    points = inp.points or ((),) * len(inp.ballots)
    for ballot, given in zip(inp.ballots, points, strict=True):
        yield tuple(ballot_points(ballot, inp.max_ranks, inp.kind, given))


def project_points(inp: TallyInput) -> dict[str, int]:
    """Total score of every project of the input (0 if nobody chose it), in input order."""
    totals = dict.fromkeys((p.id for p in inp.projects), 0)
    if inp.kind == ORDINAL:
        k = inp.max_ranks
        for ballot in inp.ballots:
            for position, project_id in enumerate(ballot):
                totals[project_id] += k - position
        return totals
    for scored in scored_ballots(inp):
        for project_id, points in scored:
            totals[project_id] += points
    return totals
