"""The tally: greedy by points (Kraków's rule) and the Method of Equal Shares.

Pure Python, no database: build a :class:`TallyInput`, call :func:`run_tally`, render the
:class:`TallyResult` with :func:`explain_lines` or ``result.to_dict()``.
"""

from __future__ import annotations

from budgeting.tally.explain import explain_lines, file_order_note, lot_note
from budgeting.tally.greedy import greedy, greedy_from_points
from budgeting.tally.lot import draw_lot, new_seed
from budgeting.tally.mes import equal_shares
from budgeting.tally.model import (
    APPROVAL,
    CUMULATIVE,
    GREEDY,
    GREEDY_NO_SKIP,
    MES,
    ORDINAL,
    RULES,
    VOTE_TYPES,
    GreedyStep,
    MesLeftover,
    MesStep,
    MesSummary,
    Share,
    TallyInput,
    TallyProject,
    TallyResult,
    Tie,
)
from budgeting.tally.points import ballot_points, project_points, scored_ballots

__all__ = [
    "APPROVAL",
    "CUMULATIVE",
    "GREEDY",
    "GREEDY_NO_SKIP",
    "MES",
    "ORDINAL",
    "RULES",
    "VOTE_TYPES",
    "GreedyStep",
    "MesLeftover",
    "MesStep",
    "MesSummary",
    "Share",
    "TallyInput",
    "TallyProject",
    "TallyResult",
    "Tie",
    "ballot_points",
    "draw_lot",
    "equal_shares",
    "explain_lines",
    "file_order_note",
    "greedy",
    "greedy_from_points",
    "lot_note",
    "new_seed",
    "project_points",
    "scored_ballots",
    "run_tally",
]


def run_tally(inp: TallyInput, rule: str = GREEDY) -> TallyResult:
    """Validate ``inp`` and count it with ``rule`` (one of :data:`RULES`)."""
    inp.validate()
    if rule in (GREEDY, GREEDY_NO_SKIP):
        return greedy(inp, rule)
    if rule == MES:
        return equal_shares(inp)
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
