"""Value objects of the tally: what goes in, what comes out, and every step in between."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

GREEDY = "greedy"
GREEDY_NO_SKIP = "greedy-no-skip"
MES = "mes"
RULES = (GREEDY, GREEDY_NO_SKIP, MES)

ORDINAL = "ordinal"
APPROVAL = "approval"
CUMULATIVE = "cumulative"
VOTE_TYPES = (ORDINAL, APPROVAL, CUMULATIVE)
"""How a ballot gives points: by rank (K for the first, one less for each below), one per
chosen project, or the points the voter spread."""

# Why greedy did or did not select a project.
SELECTED = "selected"
NO_ROOM = "no_room"
BELOW_MINIMUM = "below_minimum"
STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TallyProject:
    """A project on the ballot; ``cost`` in whole currency units."""

    id: str
    cost: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class TallyInput:
    """Everything a tally needs.

    ``projects`` is in tie-break order (first wins a tie).  Each ballot lists project ids:
    best first for ``ordinal`` (at most ``max_ranks``, K, of them), the chosen ones for
    ``approval`` (at most K), the ones given points for ``cumulative``, with ``points``
    holding, ballot by ballot, the points given to each.  A project whose score (its
    points, or its votes on approval ballots) is below ``min_score`` is never selected.
    """

    projects: tuple[TallyProject, ...]
    budget: int
    ballots: tuple[tuple[str, ...], ...]
    max_ranks: int
    kind: str = ORDINAL
    points: tuple[tuple[int, ...], ...] | None = None
    min_score: int = 1

    def project(self, project_id: str) -> TallyProject:
        """The project with this id (KeyError if there is none)."""
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(project_id)

    def validate(self) -> None:
        """Raise ValueError unless the input is a well-formed ranked election."""
        ids = [p.id for p in self.projects]
        known = set(ids)
        if len(known) != len(ids):
            raise ValueError("duplicate project ids")
        if any(p.cost < 0 for p in self.projects):
            raise ValueError("a project has a negative cost")
        if self.budget < 0:
            raise ValueError("negative budget")
        if self.kind not in VOTE_TYPES:
            raise ValueError(f"unknown vote type {self.kind!r}")
        if (self.points is not None) != (self.kind == CUMULATIVE):
            raise ValueError("points are given exactly for cumulative ballots")
        if self.points is not None and len(self.points) != len(self.ballots):
            raise ValueError("one row of points per ballot is needed")
        if self.max_ranks < 1 and any(self.ballots) and self.kind != CUMULATIVE:
            raise ValueError("max_ranks must be at least 1")
        for i, ballot in enumerate(self.ballots):
            if self.kind != CUMULATIVE and len(ballot) > self.max_ranks:
                raise ValueError(f"ballot {ballot!r} ranks more than {self.max_ranks} projects")
            if self.points is not None:
                given = self.points[i]
                if len(given) != len(ballot) or any(p < 1 for p in given):
                    raise ValueError(f"ballot {ballot!r} needs a positive number per project")
            if len(set(ballot)) != len(ballot):
                raise ValueError(f"ballot {ballot!r} ranks a project twice")
            unknown = [pid for pid in ballot if pid not in known]
            if unknown:
                raise ValueError(f"ballot ranks unknown project(s) {unknown!r}")


@dataclass(frozen=True, slots=True)
class Tie:
    """Projects that could not be told apart by the rule, in the order the tie-break put them.

    For greedy, ``value`` is the shared number of points; for MES it is the shared price per
    point (per unit of cost with cost utilities: what each supporter pays over the cost).
    """

    project_ids: tuple[str, ...]
    value: int | Fraction

    def to_dict(self) -> dict[str, Any]:
        return {"project_ids": list(self.project_ids), **_number("value", self.value)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tie:
        return cls(tuple(data["project_ids"]), _unnumber(data, "value"))


@dataclass(frozen=True, slots=True)
class GreedyStep:
    """Greedy looked at one project: did it fit in what was left of the budget?"""

    project_id: str
    points: int
    cost: int
    remaining_before: int
    selected: bool
    tie: Tie | None = None
    outcome: str = ""
    """``selected``, ``no_room`` (did not fit), ``below_minimum`` (too little support) or
    ``stopped`` (after the first project that did not fit, with greedy-no-skip)."""

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", SELECTED if self.selected else NO_ROOM)

    @property
    def remaining_after(self) -> int:
        return self.remaining_before - self.cost if self.selected else self.remaining_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "greedy",
            "project_id": self.project_id,
            "points": self.points,
            "cost": self.cost,
            "remaining_before": self.remaining_before,
            "remaining_after": self.remaining_after,
            "selected": self.selected,
            "outcome": self.outcome,
            "tie": self.tie.to_dict() if self.tie else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GreedyStep:
        return cls(
            project_id=data["project_id"],
            points=int(data["points"]),
            cost=int(data["cost"]),
            remaining_before=int(data["remaining_before"]),
            selected=bool(data["selected"]),
            tie=_tie(data.get("tie")),
            outcome=data.get("outcome", ""),
        )


@dataclass(frozen=True, slots=True)
class Share:
    """Supporters who gave a project ``points`` points and each paid ``amount``."""

    points: int
    voters: int
    amount: Fraction

    def to_dict(self) -> dict[str, Any]:
        return {"points": self.points, "voters": self.voters, **_number("amount", self.amount)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Share:
        return cls(int(data["points"]), int(data["voters"]), Fraction(_unnumber(data, "amount")))


@dataclass(frozen=True, slots=True)
class MesStep:
    """MES bought one project: its supporters split the cost in proportion to their points.

    A supporter pays ``price_per_point`` times the points they gave, or everything they have
    left if that is less (``exhausted`` counts those); ``shares`` lists the full payers.
    """

    project_id: str
    cost: int
    points: int
    supporters: int
    price_per_point: Fraction
    shares: tuple[Share, ...]
    exhausted: int
    exhausted_paid: Fraction
    tie: Tie | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "mes",
            "project_id": self.project_id,
            "cost": self.cost,
            "points": self.points,
            "supporters": self.supporters,
            **_number("price_per_point", self.price_per_point),
            "shares": [s.to_dict() for s in self.shares],
            "exhausted": self.exhausted,
            **_number("exhausted_paid", self.exhausted_paid),
            "tie": self.tie.to_dict() if self.tie else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MesStep:
        return cls(
            project_id=data["project_id"],
            cost=int(data["cost"]),
            points=int(data["points"]),
            supporters=int(data["supporters"]),
            price_per_point=Fraction(_unnumber(data, "price_per_point")),
            shares=tuple(Share.from_dict(s) for s in data.get("shares", ())),
            exhausted=int(data.get("exhausted", 0)),
            exhausted_paid=Fraction(_unnumber(data, "exhausted_paid")),
            tie=_tie(data.get("tie")),
        )


@dataclass(frozen=True, slots=True)
class MesLeftover:
    """A project MES did not buy: its supporters had only ``supporters_money`` left, or
    (``below_minimum``) it had less support than the round's minimum."""

    project_id: str
    cost: int
    points: int
    supporters: int
    supporters_money: Fraction
    below_minimum: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "mes_leftover",
            "project_id": self.project_id,
            "cost": self.cost,
            "points": self.points,
            "supporters": self.supporters,
            **_number("supporters_money", self.supporters_money),
            "below_minimum": self.below_minimum,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MesLeftover:
        return cls(
            project_id=data["project_id"],
            cost=int(data["cost"]),
            points=int(data["points"]),
            supporters=int(data["supporters"]),
            supporters_money=Fraction(_unnumber(data, "supporters_money")),
            below_minimum=bool(data.get("below_minimum", False)),
        )


@dataclass(frozen=True, slots=True)
class MesSummary:
    """How the equal shares were set: each voter's money after the Add1 completion."""

    voters: int
    initial_voter_budget: Fraction
    voter_budget: Fraction
    increments: int
    stop: str  # "exhaustive" or "next_overspends"
    free_project_ids: tuple[str, ...] = ()
    satisfaction: str = "points"
    """A voter's utility from a project: the ``points`` they gave it, or its ``cost`` (approval
    ballots, as equalshares.net); with cost, prices and tie values are per unit of cost."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "voters": self.voters,
            **_number("initial_voter_budget", self.initial_voter_budget),
            **_number("voter_budget", self.voter_budget),
            "increments": self.increments,
            "stop": self.stop,
            "free_project_ids": list(self.free_project_ids),
            "satisfaction": self.satisfaction,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MesSummary:
        return cls(
            voters=int(data["voters"]),
            initial_voter_budget=Fraction(_unnumber(data, "initial_voter_budget")),
            voter_budget=Fraction(_unnumber(data, "voter_budget")),
            increments=int(data["increments"]),
            stop=data["stop"],
            free_project_ids=tuple(data.get("free_project_ids", ())),
            satisfaction=data.get("satisfaction", "points"),
        )


Step = GreedyStep | MesStep | MesLeftover


@dataclass(frozen=True, slots=True)
class TallyResult:
    """The outcome of one rule: ``selected`` in order of selection, with the steps that led there.

    ``points`` holds every project's score (its points, or votes on approval ballots; 0 if
    nobody chose it); ``ties`` every tie the rule had to break; ``mes`` the completion
    details when ``rule == "mes"``; ``min_score`` the support a project needed.
    """

    rule: str
    selected: tuple[str, ...]
    points: dict[str, int]
    steps: tuple[Step, ...]
    budget: int
    spent: int
    ties: tuple[Tie, ...] = ()
    mes: MesSummary | None = field(default=None)
    min_score: int = 1
    kind: str = ORDINAL

    @property
    def left(self) -> int:
        return self.budget - self.spent

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; a fraction ``f`` is a number plus an exact string ``f_exact``."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "points": dict(self.points),
            "budget": self.budget,
            "spent": self.spent,
            "left": self.left,
            "ties": [t.to_dict() for t in self.ties],
            "steps": [s.to_dict() for s in self.steps],
            "mes": self.mes.to_dict() if self.mes else None,
            "min_score": self.min_score,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TallyResult:
        """The inverse of :meth:`to_dict` (unknown keys are ignored)."""
        kinds = {"greedy": GreedyStep, "mes": MesStep, "mes_leftover": MesLeftover}
        return cls(
            rule=data["rule"],
            selected=tuple(data["selected"]),
            points={pid: int(v) for pid, v in data.get("points", {}).items()},
            steps=tuple(kinds[s["kind"]].from_dict(s) for s in data.get("steps", ())),
            budget=int(data["budget"]),
            spent=int(data["spent"]),
            ties=tuple(Tie.from_dict(t) for t in data.get("ties", ())),
            mes=MesSummary.from_dict(data["mes"]) if data.get("mes") else None,
            min_score=int(data.get("min_score", 0)),
            kind=data.get("kind", ORDINAL),
        )


def _number(key: str, value: int | Fraction) -> dict[str, Any]:
    """``{key: number}``, plus ``{key + "_exact": "p/q"}`` for a fraction."""
    if isinstance(value, Fraction):
        shown: int | float = value.numerator if value.denominator == 1 else float(value)
        return {key: shown, f"{key}_exact": str(value)}
    return {key: value}


def _unnumber(data: dict[str, Any], key: str) -> int | Fraction:
    exact = data.get(f"{key}_exact")
    if exact is not None:
        return Fraction(exact)
    value = data[key]
    return value if isinstance(value, int) else Fraction(str(value))


def _tie(data: dict[str, Any] | None) -> Tie | None:
    return Tie.from_dict(data) if data else None
