"""Every project's outcome and the reason behind it, from a count and from its record."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings

from budgeting.tally import (
    APPROVAL,
    GREEDY,
    GREEDY_NO_SKIP,
    MES,
    TallyInput,
    TallyProject,
    run_tally,
)
from budgeting.tally.model import BELOW_MINIMUM, NO_ROOM, SELECTED, STOPPED
from budgeting.tally.outcomes import (
    NO_SHARE,
    NO_VOTES,
    REASONS,
    area_outcomes,
    outcomes,
)
from tests.budgeting.elections import elections

# Budget 500: A (60) and B (250) fit; C (180) does not fit the 190 left; D (20) does;
# E has 2 points, under the minimum of 3; F got no vote.
PROJECTS = (
    TallyProject("A", 60, "Benches"),
    TallyProject("B", 250, "Gym"),
    TallyProject("C", 280, "Lights"),
    TallyProject("D", 20, "Sign"),
    TallyProject("E", 10, "Flowers"),
    TallyProject("F", 30, "Bins"),
)
BALLOTS = (("B", "A", "C"),) * 3 + (("A", "C", "D"),) * 2 + (("C", "E", "D"),)


def inp(**changes) -> TallyInput:
    base = {
        "projects": PROJECTS,
        "budget": 500,
        "ballots": BALLOTS,
        "max_ranks": 3,
        "min_score": 3,
    }
    return TallyInput(**{**base, **changes})


def by_id(found):
    return {o.id: o for o in found}


def test_greedy_reasons_places_and_money_left() -> None:
    result = run_tally(inp(), GREEDY)
    found = outcomes(result, {p.id: (p.cost, p.name) for p in PROJECTS}, [p.id for p in PROJECTS])
    # points: A 3*2+2*3=12, B 9, C 3+2*2+3=10, D 2*1+1=3, E 2, F 0
    assert [o.id for o in found] == ["A", "C", "B", "D", "E", "F"]
    assert [o.place for o in found] == [1, 2, 3, 4, 5, 6]
    o = by_id(found)
    assert (o["A"].reason, o["A"].score, o["A"].money_left) == (SELECTED, 12, 500)
    assert (o["C"].reason, o["C"].money_left, o["C"].selected) == (SELECTED, 440, True)
    assert (o["B"].reason, o["B"].money_left, o["B"].cost) == (NO_ROOM, 160, 250)
    assert o["D"].reason == SELECTED
    assert (o["E"].reason, o["E"].min_score) == (BELOW_MINIMUM, 3)
    assert (o["F"].reason, o["F"].score, o["F"].selected) == (NO_VOTES, 0, False)


def test_greedy_no_skip_names_where_it_stopped() -> None:
    result = run_tally(inp(), GREEDY_NO_SKIP)
    o = by_id(outcomes(result, {p.id: (p.cost, p.name) for p in PROJECTS}))
    assert o["B"].reason == NO_ROOM
    assert (o["D"].reason, o["D"].stopped_at, o["D"].selected) == (STOPPED, "B", False)
    assert o["E"].reason == BELOW_MINIMUM  # too little support comes first


def test_ties_are_placed_in_tie_break_order_and_named() -> None:
    ballots = (("A",), ("B",), ("C",))
    result = run_tally(inp(ballots=ballots, max_ranks=1, min_score=1, budget=300), GREEDY)
    projects = {p.id: (p.cost, p.name) for p in PROJECTS}
    found = outcomes(result, projects, ["F", "C", "B", "A", "D", "E"])
    assert [o.id for o in found[:3]] == ["C", "B", "A"]
    assert found[0].tied_with == ("B", "A")
    assert (found[3].id, found[3].tied_with) == ("F", ("D", "E"))


def test_mes_says_the_supporters_share_was_not_enough() -> None:
    result = run_tally(inp(min_score=1), MES)
    o = by_id(outcomes(result, {p.id: (p.cost, p.name) for p in PROJECTS}))
    unbought = [x for x in o.values() if not x.selected and x.score > 0]
    assert unbought, result.selected
    for x in unbought:
        assert x.reason == NO_SHARE
        assert isinstance(x.supporters_money, Fraction)
        assert x.supporters_money < x.cost
    assert o["F"].reason == NO_VOTES


def test_approval_scores_are_votes() -> None:
    result = run_tally(inp(kind=APPROVAL, min_score=1), GREEDY)
    o = by_id(outcomes(result, {p.id: (p.cost, p.name) for p in PROJECTS}))
    assert (o["A"].score, o["C"].score, o["E"].score) == (5, 6, 1)


def test_read_back_from_the_recorded_count() -> None:
    result = run_tally(inp(), GREEDY)
    record = result.to_dict() | {
        "projects": {p.id: {"cost": p.cost, "name": p.name} for p in PROJECTS},
        "order": [p.id for p in PROJECTS],
        "ballots": len(BALLOTS),
        "seed": 2027,
        "tie_break": "lot",
    }
    area = area_outcomes(record)
    assert (area.budget, area.ballots, area.min_score, area.seed) == (500, 6, 3, 2027)
    assert area.left == 500 - 60 - 280 - 20
    assert area.project("B").name == "Gym"
    assert [o.reason for o in area.projects] == [
        SELECTED,
        SELECTED,
        NO_ROOM,
        SELECTED,
        BELOW_MINIMUM,
        NO_VOTES,
    ]
    assert not area.ties


@settings(max_examples=60, deadline=None)
@given(elections())
def test_every_project_gets_one_outcome_that_matches_the_count(election: TallyInput) -> None:
    for rule in (GREEDY, GREEDY_NO_SKIP, MES):
        result = run_tally(election, rule)
        projects = {p.id: (p.cost, p.name) for p in election.projects}
        found = outcomes(result, projects, [p.id for p in election.projects])
        assert sorted(o.id for o in found) == sorted(projects)
        assert [o.place for o in found] == list(range(1, len(found) + 1))
        assert [o.score for o in found] == sorted((o.score for o in found), reverse=True)
        for o in found:
            assert o.reason in REASONS
            assert o.selected == (o.id in result.selected) == (o.reason == SELECTED)
            if o.reason == NO_ROOM:
                assert o.money_left is not None and o.money_left < o.cost
            if o.reason == NO_VOTES:
                assert o.score == 0
