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

All arithmetic is exact (integers over a common denominator).  Four things make it fast:

* voters are grouped by how they are affected so far (their points on the projects bought),
  so a price is found by sorting groups, not voters, and only the groups that pay are
  touched in a round; a project's supporters per group are worked out only when that
  project is priced at that grouping;
* comparisons are settled on floating-point shadows of the budgets, in numpy arrays, and
  worked out exactly only when they are close (and for the few who pay all they have).
  Exact budgets are not kept: a group's is its starting share less the exact prices of the
  purchases it gave points to, worked out when asked;
* Add1 does not recompute every increment.  For a fixed sequence of purchases, budgets only
  grow and prices only fall as the per-voter budget grows, and a voter's unclipped budget
  grows at least one unit per unit.  A run at ``x2`` forced along the purchases seen at
  ``x1`` therefore bounds every budget at each ``x`` in between from both sides, which
  certifies, increment by increment, that the same purchases happen there.  Only where the
  certificate stops is a real run needed;
* the first rounds, where every supporter of the purchase pays in full, cost the same at
  any higher increment and leave every budget higher by the same amount: runs and
  certificates take them over from the run before, checking only the other projects.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

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
_FEW = 16  # rows below which a Python loop beats numpy


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
        nxt = election.run(reach + 1, cur)
        verdict = election.verdict(nxt.selected)
        if verdict == "exhaustive":
            return nxt.x, verdict, nxt
        if verdict == "infeasible":
            last = cur if cur.x == reach and not cur.probe else election.run(reach, cur)
            return reach, "next_overspends", last
        cur = nxt
        step = _STEP_AFTER_RUN


class _Entries:
    """The supporters of one project at one grouping: rows of (group, points, voters)."""

    __slots__ = ("g", "u", "w", "uf", "wf", "voters", "_rows")

    def __init__(self, g: np.ndarray, u: np.ndarray, w: np.ndarray) -> None:
        self.g, self.u, self.w = g, u, w
        self.uf = u.astype(np.float64)
        self.wf = w.astype(np.float64)
        self.voters = int(w.sum())
        self._rows: list[tuple[int, int, int]] | None = None

    def rows(self) -> list[tuple[int, int, int]]:
        """The rows as Python integers, for exact arithmetic."""
        if self._rows is None:
            self._rows = list(zip(self.g.tolist(), self.u.tolist(), self.w.tolist(), strict=True))
        return self._rows


class _Level:
    """Voters grouped by their points on the projects bought so far (one node per prefix).

    Group ids are stable from parent to child: a group split by the new purchase keeps its
    id for the part that did not rank it and gets new ids for the parts that did; a group
    whose voters all gave the new purchase the same points keeps its id and stays whole.
    ``split`` says how budgets move from the parent: child group ``C[i]`` gets the budget
    of parent group ``P[i]`` less the price times ``U[i]`` points.  ``sig[g]`` lists the
    purchases group ``g`` gave points to, as (round, points); ``sigt`` and ``sigu`` hold
    the same as arrays (rows padded with zero points).  Arrays are never changed once made
    (a level shares them with its parent).
    """

    __slots__ = (
        "tgroup",
        "gsize",
        "split",
        "sig",
        "sigt",
        "sigu",
        "depth",
        "size",
        "children",
        "entries",
    )

    def __init__(
        self,
        tgroup: np.ndarray,
        gsize: np.ndarray,
        split: tuple[np.ndarray, np.ndarray, np.ndarray],
        sig: list[tuple[tuple[int, int], ...]],
        sigt: np.ndarray,
        sigu: np.ndarray,
        depth: int = 0,
    ) -> None:
        self.tgroup = tgroup  # ballot type -> its group
        self.gsize = gsize  # group -> voters
        self.split = split  # (P, C, U as floats)
        self.sig = sig
        self.sigt, self.sigu = sigt, sigu
        self.depth = depth  # purchases so far
        self.size = len(gsize)
        self.children: dict[int, _Level] = {}
        self.entries: dict[int, _Entries] = {}  # project -> its supporters, once asked for


@dataclass(slots=True)
class _State:
    """Budgets at the start of a round (never changed: paying makes a new state).

    Group g holds ``exact(g) / nq`` money, ``exact(g)`` being ``base`` (the starting share)
    less ``points * c[t]`` for each purchase ``(t, points)`` in ``level.sig[g]`` (``c[t] /
    nq`` is the price per point of round t).  Exact budgets are worked out only when asked
    and then remembered in ``known``.

    Budgets are kept unclipped (a voter who could not pay their full share has a budget
    <= 0, and has no money); the unclipped value is what the certificates need.  ``mf``
    shadows them in floating point (money, unscaled) to settle comparisons that are not
    close without big-integer arithmetic; ``share`` is the starting share times K + 1 (K
    the most points on one project), the scale of the bound on the shadow's error.
    """

    level: _Level
    base: int
    c: tuple[int, ...]
    nq: int
    mf: np.ndarray
    share: float
    r: int = 0
    known: dict[int, int] = field(default_factory=dict)

    def total(self, g: np.ndarray, w: np.ndarray) -> int:
        """The sum of ``w[i] * exact(g[i])``, with big integers only once per round."""
        level = self.level
        u = level.sigu[g] * w[:, None]
        per_round = np.bincount(level.sigt[g].ravel(), weights=u.ravel())  # exact below 2**53
        total = self.base * int(w.sum())
        c = self.c
        for t in np.flatnonzero(per_round).tolist():
            total -= int(per_round[t]) * c[t]
        return total

    def shifted(self, d: int, share: float) -> _State:
        """The same state with every budget ``d`` higher (``share`` as for the higher budgets)."""
        return _State(
            self.level, self.base + d * self.nq, self.c, self.nq, self.mf + d, share, self.r
        )

    def exact(self, g: int) -> int:
        """Group ``g``'s unclipped budget, scaled by ``nq``."""
        m = self.known.get(g)
        if m is None:
            m = self.base
            c = self.c
            for t, u in self.level.sig[g]:
                m -= u * c[t]
            self.known[g] = m
        return m

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
    clean: int = 0
    """How many rounds from the start had every supporter of the purchase pay in full."""

    def state(self, rnd: int) -> _State:
        """The budgets before round ``rnd`` (or at the end)."""
        return self.states[rnd] if rnd < len(self.states) else self.final


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
        scored = [  # distinct ballots as (project, points) pairs, and how many cast each
            (tuple(ballot_points(ballot, inp.max_ranks, inp.kind, pts)), mult)
            for (ballot, pts), mult in Counter(zip(inp.ballots, given, strict=True)).items()
        ]
        project = np.array([index[pid] for ballot, _ in scored for pid, _ in ballot], np.int64)
        points = np.array([u for ballot, _ in scored for _, u in ballot], dtype=np.int64)
        mults = np.array([mult for _, mult in scored], dtype=np.int64)
        ballot_of = np.repeat(np.arange(len(scored)), [len(ballot) for ballot, _ in scored])
        voters_of = mults[ballot_of]
        tot = np.zeros(len(self.costs), dtype=np.int64)
        np.add.at(tot, project, voters_of * points)
        nsup = np.zeros(len(self.costs), dtype=np.int64)
        np.add.at(nsup, project, voters_of)
        self.tot, self.nsup = tot.tolist(), nsup.tolist()
        self.low = {j for j in range(len(tot)) if self.tot[j] < max(inp.min_score, 1)}
        self.k = k = int(points.max()) if len(points) else 1
        self.width = k + 1
        # ballot types: the distinct ballots that give points to a project that is not low
        keep = ~np.isin(project, list(self.low))
        has = np.zeros(len(scored), dtype=bool)
        has[ballot_of[keep]] = True
        types, voters = int(has.sum()), int(mults[has].sum())
        type_of = np.cumsum(has) - 1
        order = np.argsort(project[keep], kind="stable")
        rows = np.stack([type_of[ballot_of[keep]], points[keep], voters_of[keep]])[:, order]
        sizes = np.bincount(project[keep], minlength=len(self.costs))
        ends = np.cumsum(sizes)
        self.sup = [rows[:, e - n : e] for e, n in zip(ends.tolist(), sizes.tolist(), strict=True)]
        """Per project: ballot types, their points on it, their voters (rows of an array)."""
        none = np.zeros(0, dtype=np.int64)
        self.all_sup = (
            np.flatnonzero(sizes),
            (ends - sizes)[sizes > 0],
            rows[0],
            rows[2].astype(np.float64),
        )
        """``sup`` of every supported project in one: those projects, where each starts,
        ballot types, voters."""
        supported = [j for j in range(len(self.tot)) if j not in self.low]
        # a free project is selected at once, unless it gives no utility (cost utilities)
        self.free = [j for j in supported if self.costs[j] == 0 and not cost_utility]
        self.cands = [j for j in supported if self.costs[j] > 0]
        lcm = math.lcm(*range(1, k + 1)) if k else 1
        self.lu = [0] + [lcm // u for u in range(1, k + 1)]
        self.root = _Level(
            np.zeros(types, dtype=np.int64),
            np.array([voters], dtype=np.int64),
            (none, none, none.astype(np.float64)),
            [()],
            np.zeros((1, 1), dtype=np.int64),
            np.zeros((1, 1), dtype=np.int64),
        )

    # -- groupings -------------------------------------------------------------------------

    def entries(self, level: _Level, j: int) -> _Entries:
        """The supporters of ``j`` per group of ``level`` (worked out once, when asked)."""
        found = level.entries.get(j)
        if found is None:
            types, points, voters = self.sup[j]
            keys, sums = _aggregate(level.tgroup[types] * self.width + points, voters)
            found = level.entries[j] = _Entries(keys // self.width, keys % self.width, sums)
        return found

    def child(self, level: _Level, s: int) -> _Level:
        """The grouping after buying ``s`` (cached)."""
        cached = level.children.get(s)
        if cached is not None:
            return cached
        types, points, voters = self.sup[s]
        width = self.width
        keys, inv = np.unique(level.tgroup[types] * width + points, return_inverse=True)
        part_size = np.bincount(inv, weights=voters).astype(np.int64)  # exact below 2**53
        part_group, part_points = keys // width, keys % width
        groups, group_of_part = np.unique(part_group, return_inverse=True)
        moved = np.bincount(group_of_part, weights=part_size).astype(np.int64)
        parts = np.bincount(group_of_part)
        whole = (parts == 1) & (moved == level.gsize[groups])  # all gave s the same points
        new = ~whole[group_of_part]
        child_group = part_group.copy()
        child_group[new] = level.size + np.arange(int(new.sum()), dtype=np.int64)
        tgroup = level.tgroup
        if new.any():
            tgroup = tgroup.copy()
            tgroup[types] = child_group[inv]
        gsize = np.concatenate([level.gsize, part_size[new]])
        split_groups = groups[~whole]
        gsize[split_groups] -= moved[~whole]
        rest = split_groups[gsize[split_groups] > 0]  # who did not rank s keep the group's id
        parent = np.concatenate([part_group, rest])
        kid = np.concatenate([child_group, rest])
        paid = np.concatenate([part_points, np.zeros(len(rest), dtype=np.int64)])
        sig = level.sig.copy()
        old = level.sig
        t = level.depth  # the round of this purchase
        rows = zip(part_group.tolist(), child_group.tolist(), part_points.tolist(), strict=True)
        slot = []
        for pg, cg, u in rows:
            slot.append(len(old[pg]))
            if cg < level.size:
                sig[cg] = old[pg] + ((t, u),)
            else:  # new ids come in order
                sig.append(old[pg] + ((t, u),))
        sigt, sigu = (np.concatenate([a, a[part_group[new]]]) for a in (level.sigt, level.sigu))
        if max(slot, default=0) >= sigt.shape[1]:  # one more purchase than any group had
            sigt, sigu = (np.pad(a, ((0, 0), (0, 1))) for a in (sigt, sigu))
        sigt[child_group, slot] = t
        sigu[child_group, slot] = part_points
        split = (parent, kid, paid.astype(np.float64))
        node = _Level(tgroup, gsize, split, sig, sigt, sigu, t + 1)
        level.children[s] = node
        return node

    # -- budgets ---------------------------------------------------------------------------

    def initial(self, x: int) -> _State:
        """Everyone holds ``budget / n + x`` (scaled by n)."""
        share = self.budget / self.n + x
        return _State(
            self.root, self.budget + self.n * x, (), self.n, np.array([share]), self.bound(x)
        )

    def bound(self, x: int) -> float:
        """The starting share times K + 1 (see :meth:`_State.slack`)."""
        return (self.budget / self.n + x) * (self.k + 1)

    def clean(self, st: _State, s: int, rho: Price) -> bool:
        """Whether every supporter of ``s`` pays ``rho`` in full (then with more money
        everyone still does, at the same price)."""
        return rho == (self.costs[s] * st.nq, self.tot[s] * st.nq * self.unit[s])

    def pay(self, st: _State, s: int, price: Price) -> _State:
        """The state after the supporters of ``s`` pay ``price`` per unit of utility (as
        :meth:`price` returned it), rescaled by the denominator of the price per point."""
        num, den = price
        unit = self.unit[s]
        if den % (st.nq * unit) == 0:  # as price() gives it: den == points * nq * unit
            scale = den // (st.nq * unit)
        else:  # any price whose denominator is a multiple of nq
            scale, num = den // st.nq, num * unit
        node = self.child(st.level, s)
        grow = node.size - len(st.mf)
        mf = np.concatenate([st.mf, np.zeros(grow)]) if grow else st.mf.copy()
        nq = st.nq * scale
        parent, kid, paid_f = node.split
        mf[kid] = st.mf[parent] - (num / nq) * paid_f  # per point, rounded
        c = (*(ct * scale for ct in st.c), num)
        return _State(node, st.base * scale, c, nq, mf, st.share, st.r + 1)

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
        exact = st.exact
        sf = shift / st.nq
        err = (st.r + 2) * 1e-9 * (st.share + abs(sf))  # > error of one shadow budget
        e = self.entries(st.level, j)
        m_f = st.mf[e.g] + sf
        keep = m_f > -err
        g, u, w, uf, wf = e.g, e.u, e.w, e.uf, e.wf
        if not keep.all():
            g, u, w, uf, wf, m_f = g[keep], u[keep], w[keep], uf[keep], wf[keep], m_f[keep]
        total_f = float(wf @ m_f)
        voters = int(w.sum())
        points = int(w @ u)
        cost = self.costs[j]
        gap = total_f - cost
        if gap < -st.slack(sf, voters, cost):
            return None
        if gap <= st.slack(sf, voters, cost):
            return self.exact_price(st, j, shift)
        keys = m_f / uf
        order = np.argsort(keys, kind="stable")
        keys, m_f, g, u, w, uf, wf = (a[order] for a in (keys, m_f, g, u, w, uf, wf))
        paid = wf * m_f
        need_before = cost - (np.cumsum(paid) - paid)  # still to pay when a row's turn comes
        points_before = points - (np.cumsum(wf * uf) - wf * uf)
        full = need_before * uf <= m_f * points_before  # pays price * points, not all it has
        cut = int(np.argmax(full)) if full.any() else len(keys)
        need = cost * st.nq
        if cut > _FEW:  # the poor pay all they have
            sure = m_f[:cut] > err  # surely have money
            held_g, held_w = g[:cut][sure], w[:cut][sure]
            need -= st.total(held_g, held_w) + shift * int(held_w.sum())
            if not sure.all():
                unsure = ~sure
                for gi, wi in zip(g[:cut][unsure].tolist(), w[:cut][unsure].tolist(), strict=True):
                    m = exact(gi) + shift
                    if m > 0:
                        need -= wi * m
            points -= int(w[:cut] @ u[:cut])
        else:
            for gi, ui, wi in zip(
                g[:cut].tolist(), u[:cut].tolist(), w[:cut].tolist(), strict=True
            ):
                m = exact(gi) + shift
                if m > 0:
                    need -= wi * m
                points -= wi * ui
        if points <= 0 or need <= 0:
            return self.exact_price(st, j, shift)
        p_f = need / (points * st.nq)
        band = 2 * err + 1e-12 * p_f
        for i in range(cut - 1, -1, -1):  # poor near the price: budget / points < price
            if keys[i] < p_f - band:
                break
            m = exact(int(g[i])) + shift
            if m > 0 and m * points >= need * int(u[i]):
                return self.exact_price(st, j, shift)
        for i in range(cut, len(keys)):  # the others near the price: budget / points >= it
            if keys[i] > p_f + band:
                break
            m = exact(int(g[i])) + shift
            if m * points < need * int(u[i]):
                return self.exact_price(st, j, shift)
        return need, points * st.nq * self.unit[j]

    def exact_price(self, st: _State, j: int, shift: int = 0) -> Price | None:
        """:meth:`price` worked out on the exact budgets only."""
        lu, exact = self.lu, st.exact
        total = 0
        points = 0
        rows: list[tuple[int, int, int, int]] = []
        for g, u, w in self.entries(st.level, j).rows():
            m = exact(g) + shift
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

    def floor(self, st: _State, j: int, rho: Price) -> Price | None:
        """A lower bound on the price of ``j`` if the shadow budgets show it is above
        ``rho`` (None if they do not).

        What the supporters would pay, ``f(p)``, is concave in the price ``p``, so ``f(p)``
        stays below ``f(rho) + (p - rho) * f'(rho)``, and ``f'(rho)`` is at most the points
        of those holding more than ``rho`` times their points: the cost is not reached
        before ``rho + (cost - f(rho)) / f'(rho)``.
        """
        unit = self.unit[j]
        pf = rho[0] * unit / rho[1]  # per point
        e = self.entries(st.level, j)
        m_f = st.mf[e.g]
        cap = pf * e.uf
        cost = self.costs[j]
        short = cost - float(e.wf @ np.clip(m_f, 0, cap)) - st.slack(0, e.voters, cost)
        if short <= 0:
            return None
        err = (st.r + 2) * 1e-9 * st.share  # > error of one shadow budget
        slope = float(e.wf @ (e.uf * (m_f > cap - err)))
        if slope == 0:
            return _INFINITE
        low = (pf + short / slope * (1 - 1e-9)) * (1 - 1e-12) / unit
        bound = Fraction(low).as_integer_ratio()
        return bound if _above(bound, rho, True) else rho

    def _surely_above(
        self, st: _State, j: int, rho: Price, lb: dict[int, Price], lbf: dict[int, float]
    ) -> bool:
        """True, with ``j``'s lower bound raised, if the shadow budgets (or, failing them,
        the exact excess) show ``j`` costs at least ``rho``: no need to price it now."""
        low = self.floor(st, j, rho)
        if low is None and self.excess(st, j, rho) < 0:
            low = rho
        if low is None:
            return False
        lb[j], lbf[j] = low, _ratio(low)
        return True

    def excess(self, st: _State, j: int, rho: Price, shift: int = 0) -> int:
        """Sign of (what the supporters of ``j`` would pay at price ``rho``) - cost of ``j``.

        Negative means the price of ``j`` is above ``rho`` (or ``j`` is unaffordable).
        Settled on the shadow budgets unless it is close.
        """
        num, den = rho
        num *= self.unit[j]  # price per point
        e = self.entries(st.level, j)
        pf = num / den
        sf = shift / st.nq
        m_f = st.mf[e.g] + sf
        has = m_f > 0
        total_f = float(e.wf[has] @ np.minimum(m_f[has], pf * e.uf[has]))
        gap = total_f - self.costs[j]
        slack = st.slack(sf, e.voters, self.costs[j])
        if gap > slack:
            return 1
        if gap < -slack:
            return -1
        exact = st.exact
        cap = [num * st.nq * u for u in range(self.k + 1)]
        total = 0
        for g, u, w in e.rows():
            m = exact(g) + shift
            if m <= 0:
                continue
            m *= den
            total += w * (m if m < cap[u] else cap[u])
        need = self.costs[j] * st.nq * den
        return (total > need) - (total < need)

    def money(self, st: _State, j: int, shift: int = 0) -> int:
        """Money (scaled) that the supporters of ``j`` hold, with budgets shifted down."""
        exact = st.exact
        total = 0
        for g, _u, w in self.entries(st.level, j).rows():
            m = exact(g)
            if m > 0:
                m -= shift
                if m > 0:
                    total += w * m
        return total

    def affords(self, st: _State, j: int, shift: int = 0) -> bool:
        """Whether the supporters of ``j`` hold its cost, budgets shifted down by ``shift``
        (settled on the shadow budgets unless it is close)."""
        sf = shift / st.nq
        e = self.entries(st.level, j)
        m_f = st.mf[e.g]
        left = m_f - sf
        has = (m_f > 0) & (left > 0)
        total_f = float(e.wf[has] @ left[has])
        gap = total_f - self.costs[j]
        slack = st.slack(sf, e.voters, self.costs[j])
        if gap > slack:
            return True
        if gap < -slack:
            return False
        return self.money(st, j, shift) >= self.costs[j] * st.nq

    def unaffordable(self, st: _State, js: list[int]) -> set[int]:
        """Those of ``js`` whose supporters surely hold less than their cost (on the shadow
        budgets, for all projects at once)."""
        projects, starts, types, voters = self.all_sup
        held = np.maximum(st.mf, 0)[st.level.tgroup][types] * voters
        money = np.zeros(len(self.costs))
        if len(starts):
            money[projects] = np.add.reduceat(held, starts)
        costs = self.costs
        return {j for j in js if money[j] + st.slack(0, self.nsup[j], costs[j]) < costs[j]}

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

    def run(self, x: int, ref: _Run | None = None) -> _Run:
        """MES with per-voter budget ``budget / n + x`` (``ref``: an earlier run at most at ``x``,
        whose clean rounds are replayed)."""
        costs = self.costs
        st = self.initial(x)
        alive = set(self.cands)
        unit = self.unit
        lb: dict[int, Price] = {j: (costs[j], self.tot[j] * unit[j]) for j in alive}  # bounds
        lbf = {j: lb[j][0] / lb[j][1] for j in alive}
        out = _Run(x, list(self.free))
        if ref is not None:
            st = self._replay(ref, out, alive, lb, lbf)
        clean = out.clean == len(out.rhos)
        likely = ref.selected[len(self.free) :] if ref is not None else []
        while alive:
            best = -1
            bp: Price = _INFINITE
            bf = math.inf
            tied: list[int] = []
            checked = False
            order = sorted(alive, key=lambda j: (lbf[j], j))
            hint = next((j for j in likely if j in alive), -1)  # what ref bought next
            if hint >= 0:  # priced first, most others then fall to cheap checks
                order.remove(hint)
                order.insert(0, hint)
            for j in order:
                if j not in alive:
                    continue
                if best >= 0:
                    if lbf[j] > bf * 1.000001:  # so are all after it
                        break
                    if _above(lb[j], bp, True):
                        continue
                    if self._surely_above(st, j, bp, lb, lbf):
                        continue
                pj = self.price(st, j)
                if pj is None:
                    alive.discard(j)
                    if not checked:  # likely more of them: weed them out at once
                        alive -= self.unaffordable(st, list(alive))
                        checked = True
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
            out.states.append(st)
            out.selected.append(best)
            out.rhos.append(bp)
            out.ties.append(tuple(sorted(tied)) if len(tied) > 1 else ())
            clean = clean and self.clean(st, best, bp)
            out.clean += clean
            alive.discard(best)
            st = self.pay(st, best, bp)
        out.final = st
        return out

    def _replay(
        self,
        ref: _Run,
        out: _Run,
        alive: set[int],
        lb: dict[int, Price],
        lbf: dict[int, float],
    ) -> _State:
        """The clean rounds of ``ref``, at ``out.x >= ref.x``: budgets are higher by the same
        amount, so the purchase keeps its price; only the other projects are checked.
        Returns the state where a real run takes over (where it differs, or after them)."""
        d, share = out.x - ref.x, self.bound(out.x)
        nz = len(self.free)
        for rnd in range(ref.clean):
            s, r1 = ref.selected[nz + rnd], ref.rhos[rnd]
            st = ref.states[rnd].shifted(d, share)
            r1f = r1[0] / r1[1]
            tied = [s]
            for j in sorted(alive):
                if j == s or lbf[j] > r1f * 1.000001 or _above(lb[j], r1, True):
                    continue
                if self._surely_above(st, j, r1, lb, lbf):
                    continue
                pj = self.price(st, j)
                if pj is None:  # cannot happen (j's supporters hold enough); be safe
                    return st
                if _above(pj, r1, True):
                    lb[j], lbf[j] = pj, pj[0] / pj[1]
                    continue
                if _above(r1, pj, True) or j < s:  # j costs less, or the same and comes first
                    return st
                tied.append(j)
            out.states.append(st)
            out.selected.append(s)
            out.rhos.append(r1)
            out.ties.append(tuple(sorted(tied)) if len(tied) > 1 else ())
            out.clean += 1
            alive.discard(s)
        return ref.state(ref.clean).shifted(d, share)

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
        lbf = np.full(len(costs), math.inf)  # lb as floats (correctly rounded); inf if not alive
        for j in alive:
            lbf[j] = lb[j][0] / lb[j][1]
        reach = x2
        out = _Run(x2, list(ref.selected), probe=True)
        d, share = x2 - x1, self.bound(x2)
        clean = True
        for rnd, s in enumerate(ref.selected[len(self.free) :]):
            r1 = ref.rhos[rnd]
            if rnd < ref.clean:  # the same price, with budgets d higher (see _replay)
                p2 = r1
            else:
                p2 = self.price(st, s)
                if p2 is None:  # cannot happen (budgets grow with x); be safe
                    return x1, None
                clean = clean and self.clean(st, s, p2)
            r1f = r1[0] / r1[1]
            upper: dict[int, Price | None] = {}  # price of s on lower-bound budgets at y
            lbf[s] = math.inf
            for j in np.flatnonzero(lbf <= r1f * (1 + 1e-9)).tolist():  # others are above r1
                strict = j < s  # j would win a tie
                if _above(lb[j], r1, strict):
                    continue
                low = self.floor(st, j, r1)
                if low is None and self.beats(st, j, r1, strict):
                    low = r1
                if low is not None:
                    lb[j], lbf[j] = low, _ratio(low)
                    continue
                reach = self._chain(ref, rnd, st, x2, j, strict, reach, upper)
                if reach <= x1:
                    return x1, None
            out.states.append(st)
            out.rhos.append(p2)
            out.ties.append(())
            out.clean += clean
            alive.discard(s)
            st = ref.state(rnd + 1).shifted(d, share) if rnd < ref.clean else self.pay(st, s, p2)
        alive -= self.unaffordable(st, list(alive))
        for j in sorted(alive):  # nothing else may become affordable
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
        nq = st.nq
        full: Counter[int] = Counter()
        exhausted = 0
        exhausted_paid = 0  # scaled by nq
        supporters = 0
        for g, u, w in self.entries(st.level, s).rows():
            supporters += w
            m = max(st.exact(g), 0)
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
        supporters = self.entries(st.level, j).voters
        return MesLeftover(
            project_id=self.ids[j],
            cost=self.costs[j],
            points=self.tot[j],
            supporters=supporters,
            supporters_money=Fraction(self.money(st, j), st.nq),
        )


def _ratio(a: Price) -> float:
    """``a`` as a float (correctly rounded; infinite for ``_INFINITE``)."""
    return a[0] / a[1] if a[1] else math.inf


def _above(a: Price, b: Price, strict: bool) -> bool:
    """a > b (a >= b if not strict)."""
    c1, c2 = a[0] * b[1], b[0] * a[1]
    return c1 > c2 or (not strict and c1 == c2)


def _aggregate(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (sorted) and the sum of ``weights`` for each, exactly."""
    if not len(keys):
        return keys, weights
    if int(keys.max()) < 8 * len(keys) + 4096:  # dense: count straight into place
        sums = np.bincount(keys, weights=weights)
        distinct = np.flatnonzero(sums)
        return distinct, sums[distinct].astype(np.int64)  # sums of integers below 2**53
    distinct, inv = np.unique(keys, return_inverse=True)
    return distinct, np.bincount(inv, weights=weights).astype(np.int64)
