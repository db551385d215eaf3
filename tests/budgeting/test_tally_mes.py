"""MES with Add1 agrees with pabutools (cached on Kraków, live on small elections)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from budgeting.pabulib import tally_pabulib
from budgeting.tally import (
    APPROVAL,
    CUMULATIVE,
    MES,
    ORDINAL,
    MesLeftover,
    MesStep,
    Share,
    TallyInput,
    TallyProject,
    Tie,
    equal_shares,
    greedy,
)
from budgeting.tally.mes import _Election
from tests.budgeting.elections import (
    DATA_DIR,
    approval_files,
    elections,
    krakow_files,
    pabutools_mes,
    pabutools_outcome,
    reference_mes,
)

CACHE = DATA_DIR / "pabutools_mes_krakow.json"


@cache
def pabutools_cache() -> dict:
    return json.loads(CACHE.read_text(encoding="utf-8"))


def test_cache_covers_every_district_file(pabulib_dir: Path) -> None:
    assert sorted(pabutools_cache()["files"]) == [p.name for p in krakow_files(city=False)]
    assert pabutools_cache()["tie_breaking"] == "order of the PROJECTS section"


@pytest.mark.parametrize("path", krakow_files(city=False), ids=lambda p: p.stem)
def test_matches_pabutools_on_krakow(path: Path, pabulib_dir: Path) -> None:
    expected = pabutools_cache()["files"][path.name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected["sha256"], "data changed"
    inp, result = tally_pabulib(path, MES)
    assert list(result.selected) == expected["selected"]  # same projects, same order
    assert result.spent <= result.budget
    for step in result.steps:
        if isinstance(step, MesStep):
            paid = sum(s.voters * s.amount for s in step.shares) + step.exhausted_paid
            assert paid == step.cost
            assert step.supporters == sum(s.voters for s in step.shares) + step.exhausted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=5, max_voters=8, max_cost=30, empty_ballots=False))
def test_matches_pabutools_live(inp: TallyInput) -> None:
    assert list(equal_shares(inp).selected) == pabutools_outcome(inp)


def test_matches_pabutools_live_on_a_tie() -> None:
    inp = TallyInput(
        projects=(TallyProject("9", 40), TallyProject("10", 40), TallyProject("1", 30)),
        budget=100,
        ballots=(("9", "10"), ("10", "9"), ("1",), ("9", "10"), ("10", "9")),
        max_ranks=2,
    )
    result = equal_shares(inp)
    assert result.ties and result.ties[0].project_ids == ("9", "10")
    assert list(result.selected) == pabutools_outcome(inp)


@settings(max_examples=300, deadline=None)
@given(elections(min_cost=0, max_voters=14, round_costs=True))
def test_matches_a_plain_reference(inp: TallyInput) -> None:
    result = equal_shares(inp)
    selected, increments, stop = reference_mes(inp)
    assert list(result.selected) == selected
    assert result.mes is not None
    assert (result.mes.increments, result.mes.stop) == (increments, stop)


@settings(max_examples=100, deadline=None)
@given(elections(max_projects=8, max_voters=30, max_cost=120, round_costs=True, tight=True))
def test_matches_a_plain_reference_on_tight_budgets(inp: TallyInput) -> None:
    result = equal_shares(inp)
    assert result.mes is not None
    assert (list(result.selected), result.mes.increments, result.mes.stop) == reference_mes(inp)


def every_increment(inp: TallyInput) -> tuple[list[str], int]:
    """Add1 without the shortcut: an exact run at every increment, as pabutools does."""
    election = _Election(inp)
    x, previous = 0, list(election.free)
    while True:
        run = election.run(x)
        verdict = election.verdict(run.selected)
        if verdict == "infeasible":
            selected, x = previous, x - 1
            break
        if verdict == "exhaustive":
            selected = run.selected
            break
        previous, x = run.selected, x + 1
    return [inp.projects[j].id for j in selected], x


def random_election(rng: random.Random, voters: int, projects: int) -> TallyInput:
    """Ballots drawn from skewed popularity, so prices drift together and nearly tie."""
    ids = [str(i) for i in range(projects)]
    weights = [rng.random() ** 2 for _ in ids]
    costs = [rng.choice([20, 30, 40, 50, 80, 100, 150]) * 10 for _ in ids]
    k = rng.choice([2, 3])
    ballots = []
    for _ in range(voters):
        ballot: list[str] = []
        while len(ballot) < k:
            pick = rng.choices(ids, weights)[0]
            if pick not in ballot:
                ballot.append(pick)
        ballots.append(tuple(ballot))
    budget = int(sum(costs) * rng.uniform(0.3, 0.7))
    projects_ = tuple(TallyProject(i, c) for i, c in zip(ids, costs, strict=True))
    return TallyInput(projects_, budget, tuple(ballots), k)


@pytest.mark.parametrize("seed", range(4))
def test_add1_shortcut_matches_every_increment(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        inp = random_election(rng, voters=300, projects=12)
        result = equal_shares(inp)
        assert result.mes is not None
        assert (list(result.selected), result.mes.increments) == every_increment(inp)


def voters(*groups: tuple[int, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(ballot for count, ballot in groups for _ in range(count))


def test_equal_shares_versus_greedy() -> None:
    # 7 voters rank A then B, 3 voters rank C. Greedy spends it all on A and B; under MES
    # the 7 pay for A, cannot afford B too, and the 3 buy C with their own shares.
    inp = TallyInput(
        projects=(TallyProject("A", 50), TallyProject("B", 50), TallyProject("C", 30)),
        budget=100,
        ballots=voters((7, ("A", "B")), (3, ("C",))),
        max_ranks=2,
    )
    assert greedy(inp).selected == ("A", "B")
    result = equal_shares(inp)
    assert result.selected == ("A", "C")
    assert result.steps[0].price_per_point == Fraction(50, 14)
    assert result.steps[1].shares == (Share(2, 3, Fraction(10)),)


def test_who_pays_what() -> None:
    # 10 voters with 10 each. C (50) is bought first at 50/6 per point by its 6 supporters;
    # A's supporters then hold 10/6 each, too little for A; B's 4 supporters pay 10 each.
    inp = TallyInput(
        projects=(TallyProject("A", 60), TallyProject("C", 50), TallyProject("B", 40)),
        budget=100,
        ballots=voters((6, ("C", "A")), (4, ("B",))),
        max_ranks=2,
    )
    result = equal_shares(inp)
    assert result.selected == ("C", "B")
    c, b, a = result.steps
    assert c == MesStep(
        project_id="C",
        cost=50,
        points=12,
        supporters=6,
        price_per_point=Fraction(50, 12),
        shares=(Share(2, 6, Fraction(50, 6)),),
        exhausted=0,
        exhausted_paid=Fraction(0),
    )
    assert b.price_per_point == Fraction(5) and b.shares == (Share(2, 4, Fraction(10)),)
    assert a == MesLeftover("A", 60, 6, 6, supporters_money=Fraction(10))
    assert result.mes is not None
    assert (result.mes.increments, result.mes.stop) == (0, "exhaustive")
    assert result.mes.voter_budget == 10


def test_add1_until_exhaustive() -> None:
    # A (91) needs everyone; B (9) is the dream of one voter, who can afford it at share 19.
    inp = TallyInput(
        projects=(TallyProject("A", 91), TallyProject("B", 9)),
        budget=100,
        ballots=voters((1, ("A", "B")), (9, ("A",))),
        max_ranks=2,
    )
    result = equal_shares(inp)
    assert result.selected == ("A", "B")
    assert result.mes is not None
    assert (result.mes.increments, result.mes.stop) == (reference_mes(inp)[1], "exhaustive")
    assert result.mes.voter_budget == 10 + result.mes.increments


def test_add1_stops_before_overspending() -> None:
    # Shares start at 10. C (30) would still fit next to A (70), but its one fan needs a
    # share of 30; at a share of 18 the two fans of B (35) could buy it, and A + B = 105.
    inp = TallyInput(
        projects=(TallyProject("A", 70), TallyProject("B", 35), TallyProject("C", 30)),
        budget=100,
        ballots=voters((7, ("A",)), (2, ("B",)), (1, ("C",))),
        max_ranks=1,
    )
    result = equal_shares(inp)
    assert result.selected == ("A",)
    assert result.mes is not None
    assert (result.mes.increments, result.mes.stop) == (7, "next_overspends")
    assert reference_mes(inp) == (["A"], 7, "next_overspends")
    assert result.mes.voter_budget == 17


def test_ties_follow_the_input_order() -> None:
    projects = (TallyProject("X", 50), TallyProject("Y", 50))
    ballots = voters((3, ("X", "Y")), (3, ("Y", "X")))
    forward = equal_shares(TallyInput(projects, 60, ballots, 2))
    backward = equal_shares(TallyInput(projects[::-1], 60, ballots, 2))
    assert forward.selected == ("X",) and backward.selected == ("Y",)
    # the 3 who gave X 2 points pay all their 10; the other 3 pay 20/3 per point
    assert forward.ties == (Tie(("X", "Y"), Fraction(20, 3)),)
    assert backward.ties == (Tie(("Y", "X"), Fraction(20, 3)),)
    assert forward.steps[0].tie == forward.ties[0]


def test_free_and_unranked_projects() -> None:
    inp = TallyInput(
        projects=(TallyProject("A", 0), TallyProject("B", 10), TallyProject("C", 0)),
        budget=10,
        ballots=(("B", "A"),),
        max_ranks=2,
    )
    result = equal_shares(inp)
    assert result.selected == ("A", "B")  # C costs nothing but nobody wants it
    assert result.mes is not None and result.mes.free_project_ids == ("A",)


def test_no_ballots() -> None:
    result = equal_shares(TallyInput((TallyProject("A", 5),), 10, (), 3))
    assert (result.selected, result.spent) == ((), 0)


def test_round_trips_through_a_dict() -> None:
    inp = TallyInput(
        projects=(TallyProject("A", 60), TallyProject("C", 50), TallyProject("B", 40)),
        budget=100,
        ballots=voters((6, ("C", "A")), (4, ("B",))),
        max_ranks=2,
    )
    result = equal_shares(inp)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["steps"][0]["price_per_point"] == pytest.approx(50 / 12)
    assert data["steps"][0]["price_per_point_exact"] == "25/6"
    assert type(result).from_dict(data) == result


# -- approval ballots: cost utilities, as equalshares.net --------------------------------

APPROVAL_CACHE = DATA_DIR / "pabutools_mes_approval.json"


@cache
def approval_cache() -> dict:
    return json.loads(APPROVAL_CACHE.read_text(encoding="utf-8"))


def test_approval_cache_covers_every_approval_file(pabulib_dir: Path) -> None:
    cached = approval_cache()
    assert sorted(cached["files"]) == [p.name for p in approval_files()] != []
    assert cached["satisfaction"].startswith("Cost_Sat")
    assert cached["tie_breaking"] == "order of the PROJECTS section"


@pytest.mark.parametrize("path", approval_files(), ids=lambda p: p.stem)
def test_matches_pabutools_on_approval_files(path: Path, pabulib_dir: Path) -> None:
    expected = approval_cache()["files"][path.name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected["sha256"], "data changed"
    inp, result = tally_pabulib(path, MES)
    assert inp.kind == APPROVAL
    assert list(result.selected) == expected["selected"]
    assert result.mes is not None and result.mes.satisfaction == "cost"
    assert result.spent <= result.budget
    for step in result.steps:
        if isinstance(step, MesStep):
            paid = sum(s.voters * s.amount for s in step.shares) + step.exhausted_paid
            assert paid == step.cost


@pytest.mark.parametrize(
    "path", [p for p in approval_files() if p.stat().st_size < 100_000], ids=lambda p: p.stem
)
def test_matches_pabutools_live_on_approval_districts(path: Path, pabulib_dir: Path) -> None:
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(str(path))
    inp, result = tally_pabulib(path, MES)
    assert list(result.selected) == pabutools_mes(instance, profile, inp.max_ranks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=5, max_voters=8, max_cost=30, empty_ballots=False, kind=APPROVAL))
def test_matches_pabutools_live_on_approval(inp: TallyInput) -> None:
    assert list(equal_shares(inp).selected) == pabutools_outcome(inp)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=5, max_voters=8, max_cost=30, empty_ballots=False, kind=CUMULATIVE))
def test_matches_pabutools_live_on_cumulative(inp: TallyInput) -> None:
    assert list(equal_shares(inp).selected) == pabutools_outcome(inp)


@settings(max_examples=200, deadline=None)
@given(elections(min_cost=0, max_voters=14, round_costs=True, kind=APPROVAL))
def test_approval_matches_a_plain_reference(inp: TallyInput) -> None:
    result = equal_shares(inp)
    assert result.mes is not None
    assert (list(result.selected), result.mes.increments, result.mes.stop) == reference_mes(inp)


@settings(max_examples=100, deadline=None)
@given(
    elections(
        max_projects=8, max_voters=30, max_cost=120, round_costs=True, tight=True, kind=APPROVAL
    )
)
def test_approval_matches_a_plain_reference_on_tight_budgets(inp: TallyInput) -> None:
    result = equal_shares(inp)
    assert result.mes is not None
    assert (list(result.selected), result.mes.increments, result.mes.stop) == reference_mes(inp)


@settings(max_examples=150, deadline=None)
@given(elections(min_cost=0, max_voters=14, round_costs=True, kind=CUMULATIVE))
def test_cumulative_matches_a_plain_reference(inp: TallyInput) -> None:
    result = equal_shares(inp)
    assert result.mes is not None
    assert (list(result.selected), result.mes.increments, result.mes.stop) == reference_mes(inp)


@pytest.mark.parametrize("seed", range(4))
def test_add1_shortcut_matches_every_increment_on_approval(seed: int) -> None:
    rng = random.Random(100 + seed)
    for _ in range(10):
        ranked = random_election(rng, voters=300, projects=12)
        inp = TallyInput(ranked.projects, ranked.budget, ranked.ballots, 3, APPROVAL)
        result = equal_shares(inp)
        assert result.mes is not None
        assert (list(result.selected), result.mes.increments) == every_increment(inp)


def test_cost_utilities_weigh_what_a_project_costs() -> None:
    # 10 voters, 10 each. A (80) is approved by voters 1-8, B (20) by voters 1-4.
    # With points, B is cheaper per supporter (5 against 10) and goes first; A then waits
    # for 3 raises of the shares. With cost utilities A costs its supporters 10/80 of its
    # cost each, B 5/20: A goes first and B waits until voters 1-4 have 5 left (5 raises).
    inp = TallyInput(
        projects=(TallyProject("A", 80), TallyProject("B", 20)),
        budget=100,
        ballots=voters((4, ("A", "B")), (4, ("A",)), (2, ())),
        max_ranks=2,
        kind=APPROVAL,
    )
    by_cost = equal_shares(inp)
    assert by_cost.selected == ("A", "B")
    assert by_cost.mes is not None and by_cost.mes.satisfaction == "cost"
    assert (by_cost.mes.increments, by_cost.mes.stop) == (5, "exhaustive")
    a, b = by_cost.steps
    assert a.price_per_point == 10 and a.shares == (Share(1, 8, Fraction(10)),)
    assert b.price_per_point == 5 and b.shares == (Share(1, 4, Fraction(5)),)
    by_points = equal_shares(inp, "points")
    assert by_points.selected == ("B", "A")
    assert by_points.mes is not None and by_points.mes.increments == 3
    assert list(by_cost.selected) == pabutools_outcome(inp) == reference_mes(inp)[0]


def test_free_projects_give_no_cost_utility() -> None:
    # as in pabutools: a project that costs nothing gives its approvers no satisfaction
    inp = TallyInput(
        projects=(TallyProject("A", 0), TallyProject("B", 10)),
        budget=10,
        ballots=(("A", "B"), ("A",)),
        max_ranks=2,
        kind=APPROVAL,
    )
    result = equal_shares(inp)
    assert result.selected == ("B",)
    assert list(result.selected) == pabutools_outcome(inp)
    assert equal_shares(inp, "points").selected == ("A", "B")


def test_cost_utility_ties_follow_the_input_order() -> None:
    # 10 voters with 40 each. X (50) and Y (100) have 3 approvers each, who can pay in full:
    # each pays a third of the cost, 1/3 per unit of utility for both, a tie.
    projects = (TallyProject("X", 50), TallyProject("Y", 100))
    ballots = voters((3, ("X",)), (3, ("Y",)), (4, ()))
    forward = equal_shares(TallyInput(projects, 400, ballots, 1, APPROVAL))
    backward = equal_shares(TallyInput(projects[::-1], 400, ballots, 1, APPROVAL))
    assert forward.ties == (Tie(("X", "Y"), Fraction(1, 3)),)
    assert backward.ties == (Tie(("Y", "X"), Fraction(1, 3)),)
    assert forward.selected == ("X", "Y") and backward.selected == ("Y", "X")
    assert list(forward.selected) == pabutools_outcome(
        TallyInput(projects, 400, ballots, 1, APPROVAL)
    )


@pytest.mark.parametrize("seed", range(3))
def test_shadow_budgets_give_the_exact_prices(seed: int) -> None:
    # price(), excess() and affords() settle most comparisons on floating-point shadow
    # budgets; along a run, with budgets shifted both ways, they agree with exact arithmetic
    rng = random.Random(200 + seed)
    bounds = 0
    for kind in (ORDINAL, APPROVAL):
        ranked = random_election(rng, voters=400, projects=12)
        inp = TallyInput(ranked.projects, ranked.budget, ranked.ballots, 3, kind)
        election = _Election(inp)
        run = election.run(rng.randrange(0, 40))
        for st in run.states + [run.final]:
            gone = election.unaffordable(st, election.cands)
            assert all(election.money(st, j) < election.costs[j] * st.nq for j in gone)
            for j in election.cands:
                nq = st.nq
                for shift in (0, nq, -nq, 7 * nq // 3, -(5 * nq) // 2):
                    assert election.price(st, j, shift) == election.exact_price(st, j, shift)
                    exact = election.money(st, j, max(shift, 0)) >= election.costs[j] * nq
                    assert election.affords(st, j, max(shift, 0)) == exact
                rho = election.exact_price(st, j)
                if rho is not None:
                    factors = (
                        Fraction(1),
                        Fraction(999_999, 1_000_000),
                        Fraction(3, 2),
                        Fraction(1, 2),
                    )
                    for factor in factors:
                        near = (rho[0] * factor.numerator, rho[1] * factor.denominator)
                        assert election.excess(st, j, near) == exact_excess(election, st, j, near)
                        low = election.floor(st, j, near)  # a bound if clearly above near
                        if low is not None:
                            assert Fraction(*near) < Fraction(*rho)
                            assert Fraction(*near) <= Fraction(*low) <= Fraction(*rho)
                            bounds += 1
    assert bounds


def exact_excess(election: _Election, st, j: int, rho: tuple[int, int]) -> int:  # noqa: ANN001
    """The sign of what the supporters of ``j`` pay at ``rho`` minus its cost, in fractions."""
    price_per_point = Fraction(rho[0] * election.unit[j], rho[1])
    paid = Fraction(0)
    for g, u, w in election.entries(st.level, j).rows():
        money = Fraction(st.exact(g), st.nq)
        if money > 0:
            paid += w * min(money, price_per_point * u)
    return (paid > election.costs[j]) - (paid < election.costs[j])


def test_matches_pabutools_on_the_city_wide_krakow_file(pabulib_dir: Path) -> None:
    # 50,004 voters, 321 raises of the shares; pabutools took 20 minutes (cached)
    expected = json.loads((DATA_DIR / "pabutools_mes_krakow_city.json").read_text())
    path = pabulib_dir / expected["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected["sha256"], "data changed"
    _inp, result = tally_pabulib(path, MES)
    assert list(result.selected) == expected["selected"]
    assert result.spent <= result.budget


def mirrored(inp: TallyInput) -> TallyInput:
    """``inp`` with every ballot also cast with its two most named projects swapped, and the
    second costing what the first does: the two tie exactly until one is bought."""
    a, b = (p for p, _ in Counter(p for ballot in inp.ballots for p in ballot).most_common(2))
    swap = {a: b, b: a}
    ballots = inp.ballots + tuple(tuple(swap.get(p, p) for p in bb) for bb in inp.ballots)
    cost = inp.project(a).cost
    projects = tuple(TallyProject(p.id, cost if p.id == b else p.cost) for p in inp.projects)
    return TallyInput(projects, inp.budget, ballots, inp.max_ranks, inp.kind)


@pytest.mark.parametrize("seed", range(4))
def test_replayed_runs_equal_runs_from_scratch(seed: int) -> None:
    # a run at x replays the rounds an earlier run bought from supporters who all paid in
    # full; prices, ties, the rounds so replayed and the budgets must be those of a fresh run
    rng = random.Random(300 + seed)
    ties = 0
    for kind in (ORDINAL, APPROVAL):
        ranked = random_election(rng, voters=200, projects=10)
        inp = mirrored(TallyInput(ranked.projects, ranked.budget, ranked.ballots, 3, kind))
        election = _Election(inp)
        for x1, x2 in ((0, 1), (0, 7), (3, 3), (5, 40)):
            ref = election.run(x1)
            fresh, replayed = election.run(x2), election.run(x2, ref)
            assert (replayed.selected, replayed.rhos, replayed.ties, replayed.clean) == (
                fresh.selected,
                fresh.rhos,
                fresh.ties,
                fresh.clean,
            )
            ties += sum(map(bool, fresh.ties))
            for rnd in range(len(fresh.states) + 1):
                a, b = fresh.state(rnd), replayed.state(rnd)
                assert a.level is b.level
                assert [a.exact(g) for g in range(a.level.size)] == [
                    b.exact(g) for g in range(b.level.size)
                ]
    assert ties
