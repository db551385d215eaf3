"""Greedy by points reproduces Kraków's official counts."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from budgeting.pabulib import parse_pabulib, tally_input_from_pabulib, tally_pabulib
from budgeting.tally import (
    GREEDY,
    GREEDY_NO_SKIP,
    GreedyStep,
    TallyInput,
    TallyProject,
    TallyResult,
    Tie,
    draw_lot,
    greedy,
    project_points,
    run_tally,
)
from tests.budgeting.elections import krakow_files


@pytest.mark.parametrize("path", krakow_files("9"), ids=lambda p: p.stem)
def test_reproduces_the_official_2019_winners(path: Path, pabulib_dir: Path) -> None:
    instance = parse_pabulib(path)
    result = run_tally(tally_input_from_pabulib(instance), GREEDY)
    assert set(result.selected) == set(instance.selected_ids or ())
    assert result.spent <= result.budget


@pytest.mark.parametrize("path", krakow_files("89"), ids=lambda p: p.stem)
def test_points_are_the_official_scores(path: Path, pabulib_dir: Path) -> None:
    instance = parse_pabulib(path)
    assert project_points(tally_input_from_pabulib(instance)) == instance.scores


def test_ties_in_the_data_are_recorded(pabulib_dir: Path) -> None:
    _, result = tally_pabulib(pabulib_dir / "Poland_Krakow_2019_Nowa_Huta.pb")
    assert Tie(("78", "48", "2"), 85) in result.ties
    steps = {s.project_id: s for s in result.steps if isinstance(s, GreedyStep)}
    assert steps["48"].tie == Tie(("78", "48", "2"), 85)
    walk = [s.project_id for s in result.steps]
    assert walk.index("78") < walk.index("48") < walk.index("2")


def test_greedy_over_fifty_thousand_ballots_is_fast(pabulib_dir: Path) -> None:
    inp = tally_input_from_pabulib(parse_pabulib(pabulib_dir / "Poland_Krakow_2019.pb"))
    assert len(inp.ballots) > 50_000
    start = time.perf_counter()
    result = run_tally(inp, GREEDY)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, f"greedy took {elapsed:.2f} s"
    assert len(result.selected) > 0


def election(*costs: int, budget: int, ballots: list[str], k: int = 3) -> TallyInput:
    """Projects A, B, C... with the given costs; each ballot a string like "BAC"."""
    ids = [chr(ord("A") + i) for i in range(len(costs))]
    return TallyInput(
        projects=tuple(TallyProject(pid, cost) for pid, cost in zip(ids, costs, strict=True)),
        budget=budget,
        ballots=tuple(tuple(b) for b in ballots),
        max_ranks=k,
    )


def test_walks_by_points_and_skips_what_does_not_fit() -> None:
    inp = election(50, 60, 30, 10, budget=100, ballots=["ABC", "BAD", "BCA", "D"])
    result = greedy(inp)
    assert result.points == {"A": 6, "B": 8, "C": 3, "D": 4}
    assert [s.project_id for s in result.steps] == ["B", "A", "D", "C"]
    assert result.selected == ("B", "D", "C")
    assert result.steps[1] == GreedyStep("A", 6, 50, 40, selected=False)
    assert result.steps[3] == GreedyStep("C", 3, 30, 30, selected=True)
    assert (result.spent, result.left) == (100, 0)
    assert result.ties == ()


def test_ties_are_broken_by_the_input_order_never_by_id() -> None:
    inp = election(70, 70, 20, budget=100, ballots=["AB", "BA", "C"], k=2)
    forward = greedy(inp)
    assert forward.selected == ("A", "C")
    assert forward.ties == (Tie(("A", "B"), 3),)
    backward = greedy(TallyInput(inp.projects[::-1], inp.budget, inp.ballots, inp.max_ranks))
    assert backward.selected == ("B", "C")
    assert backward.ties == (Tie(("B", "A"), 3),)
    assert [s.tie for s in backward.steps] == [Tie(("B", "A"), 3), Tie(("B", "A"), 3), None]


def test_a_drawn_lot_orders_the_tie() -> None:
    inp = election(70, 70, 70, budget=100, ballots=["A", "B", "C"], k=1)
    for seed in (1, 2, 3, 4):
        order = draw_lot([p.id for p in inp.projects], seed)
        by_id = {p.id: p for p in inp.projects}
        drawn = TallyInput(tuple(by_id[i] for i in order), 100, inp.ballots, 1)
        result = greedy(drawn)
        assert result.selected == order[:1]
        assert result.ties == (Tie(order, 1),)


def test_lot_is_reproducible_and_independent_of_input_order() -> None:
    ids = [str(i) for i in range(20)]
    assert draw_lot(ids, 42) == draw_lot(reversed(ids), 42)
    assert sorted(draw_lot(ids, 42)) == sorted(ids)
    assert len({draw_lot(ids, seed) for seed in range(10)}) == 10
    # the documented rule, so anyone can redraw it by hand
    import hashlib

    expected = sorted(ids, key=lambda i: hashlib.sha256(f"42:{i}".encode()).hexdigest())
    assert list(draw_lot(ids, 42)) == expected


def test_new_seed_is_a_short_number() -> None:
    from budgeting.tally import new_seed

    seeds = {new_seed() for _ in range(20)}
    assert all(0 <= s < 10**9 for s in seeds)
    assert len(seeds) > 1


def test_unranked_and_unaffordable_projects() -> None:
    inp = election(10, 500, 10, budget=100, ballots=["B", "B"])
    result = greedy(inp)
    assert result.points == {"A": 0, "B": 6, "C": 0}
    assert result.selected == ()  # nobody ranked A or C, and B does not fit
    assert [s.outcome for s in result.steps] == ["no_room", "below_minimum", "below_minimum"]
    assert result.ties == (Tie(("A", "C"), 0),)
    without_minimum = greedy(replace(inp, min_score=0))
    assert without_minimum.selected == ("A", "C")  # 0 points, but they fit


def test_a_minimum_score_is_applied_and_no_skip_stops_at_the_first_misfit() -> None:
    inp = election(50, 60, 30, 10, budget=100, ballots=["ABC", "BAD", "BCA", "D"])
    # points: A 3+2+1=6, B 2+3+3=8, C 1+2=3, D 1+3=4
    assert greedy(inp).selected == ("B", "D", "C")
    assert greedy(replace(inp, min_score=4)).selected == ("B", "D")
    no_skip = greedy(inp, GREEDY_NO_SKIP)
    assert no_skip.selected == ("B",)
    assert [s.outcome for s in no_skip.steps] == ["selected", "no_room", "stopped", "stopped"]
    assert TallyResult.from_dict(no_skip.to_dict()) == no_skip


def test_rejects_malformed_input() -> None:
    with pytest.raises(ValueError, match="twice"):
        run_tally(election(1, 2, budget=3, ballots=["AA"]))
    with pytest.raises(ValueError, match="ranks more"):
        run_tally(election(1, 2, budget=3, ballots=["AB"], k=1))
    with pytest.raises(ValueError, match="unknown rule"):
        run_tally(election(1, budget=3, ballots=["A"]), "borda")
