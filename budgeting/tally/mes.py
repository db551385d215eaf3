"""Method of Equal Shares (MES), completed by Add1.

A voter's utility from a project is the points they gave it (ranked and cumulative
ballots) or, on approval ballots, the project's cost (*cost utilities*, the satisfaction
equalshares.net uses: pabutools' ``Cost_Sat``).  Semantics follow pabutools'
``method_of_equal_shares(..., voter_budget_increment=1)``: every voter starts with
``budget / voters``; in each round the project that its supporters can buy at the lowest
price per unit of utility ``rho`` is bought (a supporter pays ``rho * utility``, or all
they have left if that is less); ties in ``rho`` go to the earlier project in the
tie-break order; the round ends when no remaining project is affordable.  Add1 then gives
every voter one more unit and starts again, until the outcome is exhaustive (nothing that
fits would still be added) or the next outcome would overspend (the previous one is kept).

With cost utilities every supporter of ``j`` has utility ``cost_j``: the money is shared out
per point as with points (every point being 1), and only the comparison of prices between
projects divides by ``cost_j`` (the utility of one point, ``unit``).  A project that costs nothing
gives no utility then and is never bought, as in pabutools.

All arithmetic is exact (integers over a common denominator).  Two things make it fast:

* voters are grouped by how they are affected so far (their points on the projects bought),
  so a price is found by sorting groups, not voters, and only the groups that pay are
  touched in a round (group budgets carry a lazily applied scale);
* Add1 does not recompute every increment.  For a fixed sequence of purchases, budgets only
  grow and prices only fall as the per-voter budget grows, and a voter's unclipped budget
  grows at least one unit per unit.  A run at ``x2`` forced along the purchases seen at
  ``x1`` therefore bounds every budget at each ``x`` in between from both sides, which
  certifies, increment by increment, that the same purchases happen there.  Only where the
  certificate stops is a real run needed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from budgeting.tally.model import (
    APPROVAL,
    MES,
    MesLeftover,
    MesStep,
    MesSummary,
    Share,
    TallyInput,
    TallyResult,
    Tie,
)
from budgeting.tally.points import ballot_points

Price = tuple[int, int]  # money per unit of utility as (numerator, denominator), denominator > 0
_INFINITE: Price = (1, 0)
_MAX_PIECES = 12  # piecewise certificates tried per competing project before giving up
_STEP_AFTER_RUN = 4


POINTS = "points"
COST = "cost"
SATISFACTIONS = (POINTS, COST)


def satisfaction_of(kind: str) -> str:
    """The utilities MES uses for a kind of ballot: cost on approval ballots, else points."""
    return COST if kind == APPROVAL else POINTS


def equal_shares(inp: TallyInput, satisfaction: str | None = None) -> TallyResult:
    """Run MES with Add1 completion on ``inp`` (ties: ``inp.projects`` order).

    ``satisfaction`` is ``"points"`` or ``"cost"``; by default cost for approval ballots
    and points otherwise (:func:`satisfaction_of`).
    """
    satisfaction = satisfaction or satisfaction_of(inp.kind)
    if satisfaction not in SATISFACTIONS:
        raise ValueError(f"unknown satisfaction {satisfaction!r}")
    election = _Election(inp, satisfaction == COST)
    points = dict(zip(election.ids, election.tot, strict=True))
    ids = [p.id for p in inp.projects]
    if election.n == 0:
        summary = MesSummary(0, Fraction(0), Fraction(0), 0, "exhaustive", (), satisfaction)
        return TallyResult(MES, (), points, (), inp.budget, 0, (), summary, inp.min_score, inp.kind)

    x, stop, final = _add1(election)
    steps: list[MesStep | MesLeftover] = []
    ties: list[Tie] = []
    nz = len(election.free)
    for rnd, s in enumerate(final.selected[nz:]):
        tie = None
        if final.ties[rnd]:
            tie = Tie(tuple(ids[j] for j in final.ties[rnd]), election.tie_value(final.rhos[rnd]))
            ties.append(tie)
        steps.append(election.step_details(final.states[rnd], s, final.rhos[rnd], tie))
    chosen = set(final.selected)
    for j in range(len(ids)):
        if j not in chosen:
            steps.append(election.leftover(final.final, j))

    selected = tuple(ids[j] for j in final.selected)
    spent = sum(election.costs[j] for j in final.selected)
    initial = Fraction(inp.budget, election.n)
    summary = MesSummary(
        voters=election.n,
        initial_voter_budget=initial,
        voter_budget=initial + x,
        increments=x,
        stop=stop,
        free_project_ids=tuple(ids[j] for j in election.free),
        satisfaction=satisfaction,
    )
    return TallyResult(
        MES,
        selected,
        points,
        tuple(steps),
        inp.budget,
        spent,
        tuple(ties),
        summary,
        inp.min_score,
        inp.kind,
    )


def _add1(election: _Election) -> tuple[int, str, _Run]:
    """Where pabutools' Add1 loop ends: increments, why it stopped, and the run there."""
    cur = election.run(0)
    if election.verdict(cur.selected) is not None:  # never "infeasible": shares sum to the budget
        return 0, "exhaustive", cur
    step = 1
    while True:
        x2 = cur.x + step
        reach, probe = election.certify(cur, x2)
        if probe is not None:  # every increment up to x2 buys what cur buys
            cur = probe
            step *= 2
            continue
        nxt = election.run(reach + 1)
        verdict = election.verdict(nxt.selected)
        if verdict == "exhaustive":
            return nxt.x, verdict, nxt
        if verdict == "infeasible":
            last = cur if cur.x == reach and not cur.probe else election.run(reach)
            return reach, "next_overspends", last
        cur = nxt
        step = _STEP_AFTER_RUN


class _Level:
    """Voters grouped by their points on the projects bought so far (one node per prefix).

    Group ids are stable from parent to child: a group split by the new purchase keeps its
    id for the part that did not rank it and gets new ids for the parts that did; a group
    whose voters all gave the new purchase the same points keeps its id and stays whole.
    Rows are never changed once made (a level shares them with its parent).
    """

    __slots__ = ("tgroup", "gweights", "gsize", "entries", "split", "size", "children")

    def __init__(
        self,
        tgroup: list[int],
        gweights: list[dict[int, list[int]]],
        gsize: list[int],
        entries: dict[int, list[tuple[int, int, int]]],
        split: list[tuple[int, tuple[tuple[int, int], ...]]],
    ) -> None:
        self.tgroup = tgroup  # ballot type -> its group
        self.gweights = gweights  # group -> project -> voters per points value
        self.gsize = gsize  # group -> voters
        self.entries = entries  # project -> [(group, points, voters)] of its supporters
        self.split = split  # parent group -> [(child group, points on the new purchase)]
        self.size = len(gweights)
        self.children: dict[int, _Level] = {}


@dataclass(slots=True)
class _State:
    """Budgets at the start of a round: group g holds ``mb[g] * F[rb[g]] / nq`` money.

    Budgets are kept unclipped (a voter who could not pay their full share has a budget
    <= 0, and has no money); the unclipped value is what the certificates need.  ``mf``
    shadows them in floating point (money, unscaled) to settle comparisons that are not
    close without big-integer arithmetic; ``share`` is the starting share times K + 1 (K
    the most points on one project), the scale of the bound on the shadow's error.
    """

    level: _Level
    mb: list[int]
    rb: list[int]
    F: list[int]
    nq: int
    mf: list[float]
    share: float
    r: int = 0

    def copy(self) -> _State:
        return _State(
            self.level,
            self.mb.copy(),
            self.rb.copy(),
            self.F,
            self.nq,
            self.mf.copy(),
            self.share,
            self.r,
        )

    def slack(self, shift: float, voters: int, cost: int) -> float:
        """More than the error of a sum of shadow budgets over ``voters`` voters.

        A shadow budget is off by at most about ``rounds**2 * (K + 1) * share * 2**-52``
        (each round subtracts one rounded payment of at most ``K`` times a payer's budget,
        and unclipped budgets stay within ``(K + 1) * (rounds + 2)`` starting shares, shift
        apart); the bound allows millions of times that, and the rounding of the sum.
        """
        return (self.r + 2) * 1e-9 * (self.share + abs(shift)) * voters + cost * 1e-12


@dataclass(slots=True)
class _Run:
    """One run of MES at ``x`` increments (a probe run does not look for ties)."""

    x: int
    selected: list[int]
    rhos: list[Price] = field(default_factory=list)
    states: list[_State] = field(default_factory=list)
    ties: list[tuple[int, ...]] = field(default_factory=list)
    final: _State | None = None
    probe: bool = False


class _Election:
    """The input in integer form, with the cache of voter groupings.

    A voter's utility from ``j`` is ``unit[j]`` times their points on it: 1 (points
    as utilities) or ``cost_j`` (cost utilities, every point being 1).  Prices (``Price``)
    are per unit of utility; budgets and payments are worked out per point.
    """

    def __init__(self, inp: TallyInput, cost_utility: bool | None = None) -> None:
        if cost_utility is None:  # the default for the kind of ballot
            cost_utility = satisfaction_of(inp.kind) == COST
        index = {p.id: i for i, p in enumerate(inp.projects)}
        self.ids = [p.id for p in inp.projects]
        self.costs = [p.cost for p in inp.projects]
        self.cost_utility = cost_utility
        self.unit = [max(c, 1) if cost_utility else 1 for c in self.costs]
        self.budget = inp.budget
        self.n = len(inp.ballots)
        given = inp.points or ((),) * len(inp.ballots)
        scored: Counter[tuple[tuple[str, int], ...]] = Counter()
        for (ballot, pts), mult in Counter(zip(inp.ballots, given, strict=True)).items():
            scored[tuple(ballot_points(ballot, inp.max_ranks, inp.kind, pts))] += mult
        self.tot = tot = [0] * len(self.costs)
        self.nsup = [0] * len(self.costs)
        for ballot, mult in scored.items():
            for pid, u in ballot:
                tot[index[pid]] += mult * u
                self.nsup[index[pid]] += mult
        self.low = {j for j in range(len(tot)) if tot[j] < max(inp.min_score, 1)}
        self.k = k = max((u for ballot in scored for _pid, u in ballot), default=1)
        self.tballot: list[tuple[tuple[int, int], ...]] = []
        self.tmult: list[int] = []
        self.sup: list[list[tuple[int, int]]] = [[] for _ in self.costs]  # (type, points)
        for ballot, mult in scored.items():
            pairs = tuple((index[pid], u) for pid, u in ballot if index[pid] not in self.low)
            if not pairs:
                continue
            t = len(self.tballot)
            self.tballot.append(pairs)
            self.tmult.append(mult)
            for j, u in pairs:
                self.sup[j].append((t, u))
        supported = [j for j in range(len(tot)) if j not in self.low]
        # a free project is selected at once, unless it gives no utility (cost utilities)
        self.free = [j for j in supported if self.costs[j] == 0 and not cost_utility]
        self.cands = [j for j in supported if self.costs[j] > 0]
        lcm = math.lcm(*range(1, k + 1)) if k else 1
        self.lu = [0] + [lcm // u for u in range(1, k + 1)]
        weights = self._weights(range(len(self.tballot)))
        entries: dict[int, list[tuple[int, int, int]]] = {}
        self._add_entries(entries, 0, weights, None)
        self.root = _Level([0] * len(self.tballot), [weights], [sum(self.tmult)], entries, [])

    # -- groupings -------------------------------------------------------------------------

    def _weights(self, types: Iterable[int]) -> dict[int, list[int]]:
        width = self.k + 1
        weights: dict[int, list[int]] = {}
        for t in types:
            mult = self.tmult[t]
            for j, u in self.tballot[t]:
                row = weights.get(j)
                if row is None:
                    row = weights[j] = [0] * width
                row[u] += mult
        return weights

    def _add_entries(
        self,
        entries: dict[int, list[tuple[int, int, int]]],
        group: int,
        weights: dict[int, list[int]],
        bought: int | None,
    ) -> None:
        for j, row in weights.items():
            if j == bought:
                continue
            lst = entries.get(j)
            if lst is None:
                if bought is not None:
                    continue  # bought in an earlier round
                lst = entries[j] = []
            for u in range(1, self.k + 1):
                if row[u]:
                    lst.append((group, u, row[u]))

    def child(self, level: _Level, s: int) -> _Level:
        """The grouping after buying ``s`` (cached)."""
        cached = level.children.get(s)
        if cached is not None:
            return cached
        tgroup = level.tgroup
        gweights = level.gweights.copy()
        gsize = level.gsize.copy()
        tmult = self.tmult
        parts: dict[int, dict[int, list[int]]] = {}  # group -> points on s -> types
        moved: dict[int, int] = {}  # group -> voters who gave s points
        for t, u in self.sup[s]:
            g = tgroup[t]
            parts.setdefault(g, {}).setdefault(u, []).append(t)
            moved[g] = moved.get(g, 0) + tmult[t]
        split: list[tuple[int, tuple[tuple[int, int], ...]]] = []
        changed: dict[int, list[int]] = {}  # project -> split groups whose row for it changed
        copied = False
        for g in sorted(parts):
            if len(parts[g]) == 1 and moved[g] == gsize[g]:  # the whole group, same points
                split.append((g, ((g, next(iter(parts[g]))),)))
                continue
            if not copied:
                tgroup = tgroup.copy()
                copied = True
            rest = dict(gweights[g])  # who did not rank s
            mine: set[int] = set()
            kids: list[tuple[int, int]] = []
            for u in sorted(parts[g]):
                c = len(gweights)
                weights = self._weights(parts[g][u])
                gweights.append(weights)
                gsize.append(sum(tmult[t] for t in parts[g][u]))
                for t in parts[g][u]:
                    tgroup[t] = c
                for j, row in weights.items():
                    if j not in mine:
                        mine.add(j)
                    rest[j] = [a - b for a, b in zip(rest[j], row, strict=True)]
                kids.append((c, u))
            gsize[g] -= moved[g]
            for j in mine:
                if not any(rest[j]):
                    del rest[j]
                changed.setdefault(j, []).append(g)
            gweights[g] = rest
            if rest:
                kids.insert(0, (g, 0))
            split.append((g, tuple(kids)))
        entries = dict(level.entries)  # lists are shared with the parent until replaced
        entries.pop(s, None)
        width = self.k + 1
        for j, groups in changed.items():
            old = entries.get(j)
            if old is None:
                continue  # s, or bought in an earlier round
            drop = set(groups)
            lst = entries[j] = [e for e in old if e[0] not in drop]
            for g in groups:
                row = gweights[g].get(j)
                if row is not None:
                    lst.extend((g, u, row[u]) for u in range(1, width) if row[u])
        for g, kids in split:
            for c, _u in kids:
                if c != g:  # the rest, or a group kept whole, keeps its entries
                    self._add_entries(entries, c, gweights[c], s)
        node = _Level(tgroup, gweights, gsize, entries, split)
        level.children[s] = node
        return node

    # -- budgets ---------------------------------------------------------------------------

    def initial(self, x: int) -> _State:
        """Everyone holds ``budget / n + x`` (scaled by n)."""
        share = self.budget / self.n + x
        bound = share * (self.k + 1)  # see _State.slack
        return _State(self.root, [self.budget + self.n * x], [0], [1], self.n, [share], bound)

    def pay(self, st: _State, s: int, price: Price) -> None:
        """Supporters of ``s`` pay ``price`` per unit of utility (as :meth:`price` returned
        it); rescale by the denominator of the price per point."""
        num, den = price
        unit = self.unit[s]
        if den % (st.nq * unit) == 0:  # as price() gives it: den == points * nq * unit
            scale = den // (st.nq * unit)
        else:  # any price whose denominator is a multiple of nq
            scale, num = den // st.nq, num * unit
        node = self.child(st.level, s)
        mb, rb, f, mf = st.mb, st.rb, st.F, st.mf
        if node.size > len(mb):
            grow = node.size - len(mb)
            mb.extend([0] * grow)
            rb.extend([0] * grow)
            mf.extend([0.0] * grow)
        r1 = st.r + 1
        pf = num / (scale * st.nq)  # per point, rounded
        for g, kids in node.split:
            m = mb[g] * f[rb[g]] * scale
            m_f = mf[g]
            for c, u in kids:
                mb[c] = m - num * u
                rb[c] = r1
                mf[c] = m_f - pf * u
        st.F = [v * scale for v in f]
        st.F.append(1)
        st.nq *= scale
        st.r = r1
        st.level = node

    def price(self, st: _State, j: int, shift: int = 0) -> Price | None:
        """Exact price per unit of utility of ``j``, or None if its supporters cannot afford it.

        ``shift`` (in scaled units) is added to every unclipped budget first: positive for
        the lower bounds of a certificate, negative for the upper bounds.

        The shadow budgets find who pays everything they have (the "poor") and who pays
        the price times their points; only the poor and the rows near the price are then
        worked out exactly.  The price ``P`` so found is exact when every poor row has
        ``budget / points < P`` and every other ``>= P`` (then the cost splits exactly at
        ``P``, and only one price does that); rows far from ``P`` are sorted right by the
        shadow, near ones are checked exactly, and anything else falls back to
        :meth:`exact_price`.
        """
        mb, rb, f, mf = st.mb, st.rb, st.F, st.mf
        sf = shift / st.nq
        err = (st.r + 2) * 1e-9 * (st.share + abs(sf))  # > error of one shadow budget
        rows: list[tuple[float, float, int, int, int]] = []
        total_f = 0.0
        voters = 0
        points = 0
        for g, u, w in st.level.entries.get(j, ()):
            m_f = mf[g] + sf
            if m_f > -err:
                rows.append((m_f / u, m_f, u, w, g))
                total_f += w * m_f
                voters += w
                points += w * u
        cost = self.costs[j]
        gap = total_f - cost
        if gap < -st.slack(sf, voters, cost):
            return None
        if gap <= st.slack(sf, voters, cost):
            return self.exact_price(st, j, shift)
        rows.sort()
        need_f = float(cost)
        points_f = points
        cut = len(rows)
        for i, (_k, m_f, u, w, _g) in enumerate(rows):
            if need_f * u <= m_f * points_f:
                cut = i
                break
            need_f -= w * m_f
            points_f -= w * u
        need = cost * st.nq
        exact: list[int] = []
        for _k, _m_f, u, w, g in rows[:cut]:  # the poor pay all they have
            m = mb[g]
            if m > 0 or shift > 0:
                m = m * f[rb[g]] + shift
            if m > 0:
                need -= w * m
            points -= w * u
            exact.append(m)
        if points <= 0 or need <= 0:
            return self.exact_price(st, j, shift)
        p_f = need / (points * st.nq)
        band = 2 * err + 1e-12 * p_f
        for i in range(cut - 1, -1, -1):  # poor near the price: budget / points < price
            key, _m_f, u, _w, _g = rows[i]
            if key < p_f - band:
                break
            m = exact[i]
            if m > 0 and m * points >= need * u:
                return self.exact_price(st, j, shift)
        for i in range(cut, len(rows)):  # the others near the price: budget / points >= it
            key, _m_f, u, _w, g = rows[i]
            if key > p_f + band:
                break
            m = mb[g]
            if m > 0 or shift > 0:
                m = m * f[rb[g]] + shift
            if m * points < need * u:
                return self.exact_price(st, j, shift)
        return need, points * st.nq * self.unit[j]

    def exact_price(self, st: _State, j: int, shift: int = 0) -> Price | None:
        """:meth:`price` worked out on the exact budgets only."""
        lu, mb, rb, f = self.lu, st.mb, st.rb, st.F
        total = 0
        points = 0
        rows: list[tuple[int, int, int, int]] = []
        for g, u, w in st.level.entries.get(j, ()):
            m = mb[g]
            if m > 0 or shift > 0:
                m = m * f[rb[g]] + shift
                if m <= 0:
                    continue
                total += w * m
                points += w * u
                rows.append((m * lu[u], m, u, w))
        need = self.costs[j] * st.nq
        if total < need:
            return None
        rows.sort()
        for _, m, u, w in rows:
            if need * u <= m * points:
                break
            need -= w * m
            points -= w * u
        return need, points * st.nq * self.unit[j]

    def excess(self, st: _State, j: int, rho: Price, shift: int = 0) -> int:
        """Sign of (what the supporters of ``j`` would pay at price ``rho``) - cost of ``j``.

        Negative means the price of ``j`` is above ``rho`` (or ``j`` is unaffordable).
        Settled on the shadow budgets unless it is close.
        """
        num, den = rho
        num *= self.unit[j]  # price per point
        entries = st.level.entries.get(j, ())
        pf = num / den
        sf = shift / st.nq
        mf = st.mf
        total_f = 0.0
        voters = 0
        for g, u, w in entries:
            m_f = mf[g] + sf
            voters += w
            if m_f > 0:
                c_f = pf * u
                total_f += w * (m_f if m_f < c_f else c_f)
        gap = total_f - self.costs[j]
        slack = st.slack(sf, voters, self.costs[j])
        if gap > slack:
            return 1
        if gap < -slack:
            return -1
        mb, rb, f = st.mb, st.rb, st.F
        cap = [num * st.nq * u for u in range(self.k + 1)]
        total = 0
        for g, u, w in entries:
            m = mb[g]
            if m > 0 or shift > 0:
                m = m * f[rb[g]] + shift
                if m <= 0:
                    continue
                m *= den
                total += w * (m if m < cap[u] else cap[u])
        need = self.costs[j] * st.nq * den
        return (total > need) - (total < need)

    def money(self, st: _State, j: int, shift: int = 0) -> int:
        """Money (scaled) that the supporters of ``j`` hold, with budgets shifted down."""
        mb, rb, f = st.mb, st.rb, st.F
        total = 0
        for g, _u, w in st.level.entries.get(j, ()):
            m = mb[g]
            if m > 0:
                m = m * f[rb[g]] - shift
                if m > 0:
                    total += w * m
        return total

    def affords(self, st: _State, j: int, shift: int = 0) -> bool:
        """Whether the supporters of ``j`` hold its cost, budgets shifted down by ``shift``
        (settled on the shadow budgets unless it is close)."""
        sf = shift / st.nq
        mf = st.mf
        total_f = 0.0
        voters = 0
        for g, _u, w in st.level.entries.get(j, ()):
            m_f = mf[g]
            voters += w
            if m_f > 0:
                m_f -= sf
                if m_f > 0:
                    total_f += w * m_f
        gap = total_f - self.costs[j]
        slack = st.slack(sf, voters, self.costs[j])
        if gap > slack:
            return True
        if gap < -slack:
            return False
        return self.money(st, j, shift) >= self.costs[j] * st.nq

    def beats(self, st: _State, j: int, rho: Price, strict: bool, shift: int = 0) -> bool:
        """Whether ``j`` costs more than ``rho`` per unit of utility (at least if not strict)."""
        sign = self.excess(st, j, rho, shift)
        if sign < 0:
            return True
        if sign > 0 or strict:
            return False
        pj = self.price(st, j, shift)
        return pj is None or _above(pj, rho, strict)

    # -- one run of MES --------------------------------------------------------------------

    def verdict(self, selected: list[int]) -> str | None:
        """'infeasible', 'exhaustive' or None, as pabutools' Add1 loop decides."""
        cost = sum(self.costs[j] for j in selected)
        if cost > self.budget:
            return "infeasible"
        chosen = set(selected)
        if all(j in chosen or self.costs[j] + cost > self.budget for j in self.cands):
            return "exhaustive"
        return None

    def run(self, x: int) -> _Run:
        """MES with per-voter budget ``budget / n + x``."""
        costs = self.costs
        st = self.initial(x)
        alive = set(self.cands)
        unit = self.unit
        lb: dict[int, Price] = {j: (costs[j], self.tot[j] * unit[j]) for j in alive}  # bounds
        lbf = {j: lb[j][0] / lb[j][1] for j in alive}
        out = _Run(x, list(self.free))
        while alive:
            best = -1
            bp: Price = _INFINITE
            bf = math.inf
            tied: list[int] = []
            for j in sorted(alive, key=lambda j: (lbf[j], j)):
                if best >= 0:
                    if lbf[j] > bf * 1.000001 or _above(lb[j], bp, True):
                        break
                    if self.excess(st, j, bp) < 0:
                        lb[j], lbf[j] = bp, bf
                        continue
                pj = self.price(st, j)
                if pj is None:
                    alive.discard(j)
                    continue
                lb[j], lbf[j] = pj, pj[0] / pj[1]
                c1, c2 = pj[0] * bp[1], bp[0] * pj[1]
                if best < 0 or c1 < c2:
                    best, bp, bf, tied = j, pj, lbf[j], [j]
                elif c1 == c2:
                    tied.append(j)
                    if j < best:  # the same price, as worked out for j
                        best, bp = j, pj
            if best < 0:
                break
            out.states.append(st.copy())
            out.selected.append(best)
            out.rhos.append(bp)
            out.ties.append(tuple(sorted(tied)) if len(tied) > 1 else ())
            alive.discard(best)
            self.pay(st, best, bp)
        out.final = st
        return out

    def certify(self, ref: _Run, x2: int) -> tuple[int, _Run | None]:
        """How far the purchases of ``ref`` provably stay the same.

        Returns ``(reach, probe)``: every increment in ``[ref.x, reach]`` buys exactly what
        ``ref`` buys; when ``reach == x2`` the probe is the run at ``x2``.
        """
        costs = self.costs
        x1 = ref.x
        st = self.initial(x2)
        alive = set(self.cands)
        lb: dict[int, Price] = {j: (costs[j], self.tot[j] * self.unit[j]) for j in alive}
        reach = x2
        out = _Run(x2, list(ref.selected), probe=True)
        for rnd, s in enumerate(ref.selected[len(self.free) :]):
            p2 = self.price(st, s)
            if p2 is None:  # cannot happen (budgets grow with x); be safe
                return x1, None
            r1 = ref.rhos[rnd]
            upper: dict[int, Price | None] = {}  # price of s on lower-bound budgets at y
            for j in alive:
                if j == s:
                    continue
                strict = j < s  # j would win a tie
                if _above(lb[j], r1, strict):
                    continue
                if self.beats(st, j, r1, strict):
                    lb[j] = r1
                    continue
                reach = self._chain(ref, rnd, st, x2, j, strict, reach, upper)
                if reach <= x1:
                    return x1, None
            out.states.append(st.copy())
            out.rhos.append(p2)
            out.ties.append(())
            alive.discard(s)
            self.pay(st, s, p2)
        for j in alive:  # nothing else may become affordable
            if not self.affords(st, j):
                continue
            lo, hi = x1, reach
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if not self.affords(st, j, (x2 - mid) * st.nq):
                    lo = mid
                else:
                    hi = mid - 1
            reach = lo
            if reach <= x1:
                return x1, None
        if reach < x2:
            return reach, None
        out.final = st
        return reach, out

    def _chain(
        self,
        ref: _Run,
        rnd: int,
        st: _State,
        x2: int,
        j: int,
        strict: bool,
        reach: int,
        upper: dict[int, Price | None],
    ) -> int:
        """Cover increments ref.x+1.. by pieces [a, b] on which ``j`` provably loses.

        On a piece, the price of ``j`` is at least its price on budgets bounded above at b
        (from the probe at x2), and the price of the project ``ref`` bought is at most its
        price on budgets bounded below at a (from ``ref``).  Returns the last covered one.
        """
        x1 = ref.x
        st1 = ref.states[rnd]
        s = ref.selected[len(self.free) + rnd]

        def ok(a: int, b: int) -> bool:
            if a not in upper:
                upper[a] = self.price(st1, s, (a - x1) * st1.nq)
            rs = upper[a]
            return rs is not None and self.beats(st, j, rs, strict, -(x2 - b) * st.nq)

        a = x1 + 1
        pieces = 0
        while a <= reach:
            if not ok(a, a):
                return a - 1
            lo, hi = a, reach
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if ok(a, mid):
                    lo = mid
                else:
                    hi = mid - 1
            a = lo + 1
            pieces += 1
            if pieces >= _MAX_PIECES and a <= reach:
                return a - 1
        return reach

    # -- details for the explanation -------------------------------------------------------

    def tie_value(self, rho: Price) -> Fraction:
        """What tied projects share: the price per point, or per unit of cost (cost utilities)."""
        return Fraction(*rho)

    def step_details(self, st: _State, s: int, rho: Price, tie: Tie | None) -> MesStep:
        """Who paid what when ``s`` was bought at price ``rho`` from budgets ``st``."""
        num, den = rho
        num *= self.unit[s]  # price per point
        mb, rb, f, nq = st.mb, st.rb, st.F, st.nq
        full: Counter[int] = Counter()
        exhausted = 0
        exhausted_paid = 0  # scaled by nq
        supporters = 0
        for g, u, w in st.level.entries.get(s, ()):
            supporters += w
            m = mb[g] * f[rb[g]] if mb[g] > 0 else 0
            if m * den >= num * nq * u:
                full[u] += w
            else:
                exhausted += w
                exhausted_paid += w * m
        price = Fraction(num, den)
        return MesStep(
            project_id=self.ids[s],
            cost=self.costs[s],
            points=self.tot[s],
            supporters=supporters,
            price_per_point=price,
            shares=tuple(Share(u, full[u], price * u) for u in sorted(full, reverse=True)),
            exhausted=exhausted,
            exhausted_paid=Fraction(exhausted_paid, nq),
            tie=tie,
        )

    def leftover(self, st: _State, j: int) -> MesLeftover:
        """What the supporters of unbought ``j`` still held at the end."""
        if j in self.low:
            return MesLeftover(
                self.ids[j], self.costs[j], self.tot[j], self.nsup[j], Fraction(0), True
            )
        supporters = sum(w for _g, _u, w in st.level.entries.get(j, ()))
        return MesLeftover(
            project_id=self.ids[j],
            cost=self.costs[j],
            points=self.tot[j],
            supporters=supporters,
            supporters_money=Fraction(self.money(st, j), st.nq),
        )


def _above(a: Price, b: Price, strict: bool) -> bool:
    """a > b (a >= b if not strict)."""
    c1, c2 = a[0] * b[1], b[0] * a[1]
    return c1 > c2 or (not strict and c1 == c2)
