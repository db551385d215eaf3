"""Real and generated elections for the tally tests: the Kraków files, hypothesis
strategies, reference outcomes."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hypothesis import strategies as st

from budgeting.pabulib import pabulib_from_tally_input, write_pabulib
from budgeting.tally import APPROVAL, CUMULATIVE, ORDINAL, TallyInput, TallyProject

PABULIB_DIR = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib").resolve()
DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def approval_files() -> list[Path]:
    """The shared approval files (Gdynia 2020: city-wide and districts)."""
    return sorted(PABULIB_DIR.glob("Poland_Gdynia_2020*.pb"))


def selected_files() -> list[Path]:
    """Every shared file with the official ``selected`` column, of any vote type."""
    files = []
    for path in sorted(PABULIB_DIR.glob("*.pb")):
        with path.open(encoding="utf-8-sig") as text:
            for line in text:
                if line.lower().startswith("project_id;"):
                    if "selected" in [c.strip() for c in line.split(";")]:
                        files.append(path)
                    break
    return files


def krakow_files(years: str = "89", city: bool = True) -> list[Path]:
    """The Kraków files of 2018 and/or 2019 (district files, and the city-wide ones if asked)."""
    files = sorted(PABULIB_DIR.glob(f"Poland_Krakow_201[{years}]*.pb"))
    return [f for f in files if city or f.stem.count("_") > 2]


@st.composite
def elections(
    draw: st.DrawFn,
    max_projects: int = 6,
    max_voters: int = 10,
    max_ranks: int = 3,
    min_cost: int = 1,
    max_cost: int = 40,
    empty_ballots: bool = True,
    round_costs: bool = False,
    tight: bool = False,
    kind: str = ORDINAL,
) -> TallyInput:
    """A small election of one ``kind`` (ranked by default).

    ``round_costs``: costs are multiples of 10 (more ties); ``tight``: the budget is less
    than the total cost (Add1 more often stops before overspending).  Cumulative ballots
    give 1 to ``max_ranks + 1`` points to each project they list.
    """
    count = draw(st.integers(1, max_projects))
    ids = draw(st.permutations([f"p{i}" for i in range(count)]))  # tie-break order
    cost = st.integers(min_cost, max_cost)
    if round_costs:
        cost = st.sampled_from([c for c in range(10, max_cost + 1, 10) if c >= min_cost])
    costs = draw(st.lists(cost, min_size=count, max_size=count))
    k = draw(st.integers(1, max_ranks))
    shortest = 0 if empty_ballots else 1
    ballots = []
    points = []
    for _ in range(draw(st.integers(0, max_voters))):
        order = draw(st.permutations(ids))
        ballot = tuple(order[: draw(st.integers(shortest, min(k, count)))])
        ballots.append(ballot)
        points.append(tuple(draw(st.integers(1, k + 1)) for _ in ballot))
    if tight:
        budget = draw(st.integers(min(costs), max(min(costs), sum(costs) - 1)))
    else:
        budget = draw(st.integers(0, sum(costs) + max_cost))
    projects = tuple(TallyProject(pid, cost) for pid, cost in zip(ids, costs, strict=True))
    given = tuple(points) if kind == CUMULATIVE else None
    return TallyInput(projects, budget, tuple(ballots), k, kind, given)


def utilities(inp: TallyInput) -> list[dict[str, int]]:
    """Each voter's utility per project, as pabutools is given it: points (ranked, K - i;
    cumulative, the points given) or, on approval ballots, the project's cost."""
    if inp.kind == APPROVAL:
        cost = {p.id: p.cost for p in inp.projects}
        return [{pid: cost[pid] for pid in b if cost[pid] > 0} for b in inp.ballots]
    if inp.kind == CUMULATIVE:
        return [
            dict(zip(b, p, strict=True)) for b, p in zip(inp.ballots, inp.points or (), strict=True)
        ]
    return [{pid: inp.max_ranks - i for i, pid in enumerate(b)} for b in inp.ballots]


def reference_mes(inp: TallyInput) -> tuple[list[str], int, str]:
    """MES + Add1 written out plainly: one voter at a time, one increment at a time.

    Returns the selected ids in order, the number of increments and why it stopped.
    """
    order = [p.id for p in inp.projects]
    cost = {p.id: p.cost for p in inp.projects}
    n = len(inp.ballots)
    if n == 0:
        return [], 0, "exhaustive"
    utility = utilities(inp)
    supported = [p for p in order if any(p in u for u in utility)]
    free = [p for p in supported if cost[p] == 0]
    candidates = [p for p in supported if cost[p] > 0]

    def run(share: Fraction) -> list[str]:
        money = [share] * n
        selected = list(free)
        left = list(candidates)
        while True:
            best, best_rho = None, None
            for p in left:  # tie-break order; a later project must be strictly cheaper
                payers = sorted(
                    (i for i in range(n) if p in utility[i]),
                    key=lambda i, p=p: money[i] / utility[i][p],
                )
                if sum(money[i] for i in payers) < cost[p]:
                    continue
                need, points = Fraction(cost[p]), sum(utility[i][p] for i in payers)
                for i in payers:
                    rho = need / points
                    if rho * utility[i][p] <= money[i]:
                        break
                    need -= money[i]
                    points -= utility[i][p]
                if best_rho is None or rho < best_rho:
                    best, best_rho = p, rho
            if best is None:
                return selected
            for i in range(n):
                if best in utility[i]:
                    money[i] -= min(money[i], best_rho * utility[i][best])
            selected.append(best)
            left.remove(best)

    previous, x = list(free), 0
    while True:
        outcome = run(Fraction(inp.budget, n) + x)
        spent = sum(cost[p] for p in outcome)
        if spent > inp.budget:
            return previous, x - 1, "next_overspends"
        if all(p in outcome or cost[p] + spent > inp.budget for p in candidates):
            return outcome, x, "exhaustive"
        previous, x = outcome, x + 1


def pabutools_outcome(inp: TallyInput) -> list[str]:
    """pabutools' MES (Add1) on ``inp``, read back from the pabulib text we write."""
    from pabutools.election.pabulib import parse_pabulib_from_string

    instance, profile = parse_pabulib_from_string(write_pabulib(pabulib_from_tally_input(inp)))
    return pabutools_mes(instance, profile, inp.max_ranks)


def pabutools_mes(instance, profile, k: int) -> list[str]:  # noqa: ANN001 (pabutools types)
    """pabutools' ``method_of_equal_shares`` with Add1 (``voter_budget_increment=1``), ties
    broken by the order of PROJECTS, and the satisfaction our MES uses: ``Cost_Sat`` on
    approval ballots, the points otherwise (ranked: position i earns K - i)."""
    from pabutools.election import Cost_Sat
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    vote_type = instance.meta.get("vote_type", "ordinal")

    def points(instance, profile, ballot, project, precomputed):  # noqa: ANN001
        if project not in ballot:
            return 0
        return ballot[project] if vote_type == "cumulative" else k - ballot.position(project)

    class PointsSat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot) -> None:  # noqa: ANN001
            super().__init__(instance, profile, ballot, points)

    sat = Cost_Sat if vote_type in ("approval", "choose-1") else PointsSat
    order = {p.name: i for i, p in enumerate(instance.project_meta)}  # file order
    outcome = method_of_equal_shares(
        instance,
        profile,
        sat_class=sat,
        voter_budget_increment=1,
        tie_breaking=TieBreakingRule(lambda inst, prof, proj: order[proj.name]),
    )
    return [p.name for p in outcome]
