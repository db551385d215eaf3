"""Positional points: on a ballot ranking up to K projects, position i (0-based) earns K - i."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from budgeting.tally.model import TallyInput


def ballot_points(ballot: Iterable[str], max_ranks: int) -> Iterator[tuple[str, int]]:
    """Yield ``(project_id, points)`` for one ballot, best first."""
    for position, project_id in enumerate(ballot):
        yield project_id, max_ranks - position


def project_points(inp: TallyInput) -> dict[str, int]:
    """Total points of every project of the input (0 if nobody ranked it), in input order."""
    totals = dict.fromkeys((p.id for p in inp.projects), 0)
    k = inp.max_ranks
    for ballot in inp.ballots:
        for position, project_id in enumerate(ballot):
            totals[project_id] += k - position
    return totals
