"""Properties both rules must have, on random elections."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.tally import GREEDY, MES, RULES, TallyInput, TallyProject, run_tally
from tests.budgeting.elections import elections

rules = pytest.mark.parametrize("rule", RULES)


@rules
@settings(max_examples=150, deadline=None)
@given(inp=elections(min_cost=0, round_costs=False))
def test_budget_is_never_exceeded(rule: str, inp: TallyInput) -> None:
    result = run_tally(inp, rule)
    costs = {p.id: p.cost for p in inp.projects}
    assert result.spent == sum(costs[pid] for pid in result.selected)
    assert result.spent <= inp.budget
    assert len(set(result.selected)) == len(result.selected)


@settings(max_examples=150, deadline=None)
@given(inp=elections(min_cost=0))
def test_greedy_leaves_nothing_that_would_still_fit(inp: TallyInput) -> None:
    result = run_tally(inp, GREEDY)
    left_out = [p for p in inp.projects if p.id not in result.selected]
    assert all(p.cost > result.left or result.points[p.id] < inp.min_score for p in left_out)
    assert all(result.points[pid] >= inp.min_score for pid in result.selected)


@rules
@settings(max_examples=100, deadline=None)
@given(inp=elections(round_costs=True), data=st.data())
def test_the_order_of_ballots_changes_nothing(
    rule: str, inp: TallyInput, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(inp.ballots))
    again = TallyInput(inp.projects, inp.budget, tuple(shuffled), inp.max_ranks)
    assert run_tally(again, rule) == run_tally(inp, rule)


@settings(max_examples=150, deadline=None)
@given(inp=elections(), data=st.data())
def test_greedy_a_winner_ranked_higher_never_moves_later(
    inp: TallyInput, data: st.DataObject
) -> None:
    result = run_tally(inp, GREEDY)
    moves = [
        (w, i)
        for w in result.selected
        for i, ballot in enumerate(inp.ballots)
        if w in ballot and ballot.index(w) > 0
    ]
    if not moves:
        return
    winner, i = data.draw(st.sampled_from(moves))
    raised = _raise(inp, i, winner)
    walk = [s.project_id for s in result.steps]
    walk_after = [s.project_id for s in run_tally(raised, GREEDY).steps]
    assert walk_after.index(winner) <= walk.index(winner)


@settings(max_examples=150, deadline=None)
@given(inp=elections(), data=st.data())
def test_greedy_a_winner_gaining_points_never_loses(inp: TallyInput, data: st.DataObject) -> None:
    """Points gained without taking any from others: a new ballot, or a free last place."""
    result = run_tally(inp, GREEDY)
    if not result.selected:
        return
    winner = data.draw(st.sampled_from(result.selected))
    room = [
        i
        for i, ballot in enumerate(inp.ballots)
        if winner not in ballot and len(ballot) < inp.max_ranks
    ]
    if room and data.draw(st.booleans()):
        i = data.draw(st.sampled_from(room))
        ballots = list(inp.ballots)
        ballots[i] = (*ballots[i], winner)
    else:
        ballots = [*inp.ballots, (winner,)]
    more = TallyInput(inp.projects, inp.budget, tuple(ballots), inp.max_ranks)
    assert winner in run_tally(more, GREEDY).selected


def test_greedy_a_winner_raised_by_a_swap_can_lose() -> None:
    """Kraków's rule is not monotone under swaps: the project a winner overtakes loses a
    point, which can let a dearer project get ahead of both and use up the budget."""
    inp = TallyInput(
        projects=tuple(
            TallyProject(pid, cost) for pid, cost in (("p0", 5), ("p1", 6), ("p2", 5), ("p3", 8))
        ),
        budget=11,
        ballots=(("p2", "p3"), ("p3", "p2"), ("p1",), ("p3", "p0"), ("p2", "p0")),
        max_ranks=2,
    )
    assert run_tally(inp, GREEDY).selected == ("p2", "p0")
    raised = _raise(inp, 4, "p0")
    assert raised.ballots[4] == ("p0", "p2")
    assert run_tally(raised, GREEDY).selected == ("p3",)


@settings(max_examples=100, deadline=None)
@given(inp=elections(round_costs=True))
def test_mes_selects_only_projects_someone_ranked_unless_free(inp: TallyInput) -> None:
    result = run_tally(inp, MES)
    ranked = {pid for ballot in inp.ballots for pid in ballot}
    assert set(result.selected) <= ranked


def _raise(inp: TallyInput, i: int, project_id: str) -> TallyInput:
    """Move ``project_id`` one place up on ballot ``i``."""
    ballot = list(inp.ballots[i])
    at = ballot.index(project_id)
    ballot[at - 1], ballot[at] = ballot[at], ballot[at - 1]
    ballots = list(inp.ballots)
    ballots[i] = tuple(ballot)
    return TallyInput(inp.projects, inp.budget, tuple(ballots), inp.max_ranks)
