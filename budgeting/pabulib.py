"""Read and write the pabulib format (https://pabulib.org/format).

A file has three sections, ``META``, ``PROJECTS`` and ``VOTES``; each section name is
followed by a header row, then ``;``-separated rows (CSV quoting).  Every cell is kept as
the string in the file, in file order, so a file can be written back unchanged; typed
accessors convert on demand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from os import PathLike
from pathlib import Path

from budgeting.tally import run_tally
from budgeting.tally.model import (
    APPROVAL,
    CUMULATIVE,
    GREEDY,
    GREEDY_NO_SKIP,
    MES,
    ORDINAL,
    RULES,
    TallyInput,
    TallyProject,
    TallyResult,
)

SECTIONS = ("meta", "projects", "votes")
PABULIB_VOTE_TYPES = {
    "ordinal": ORDINAL,
    "approval": APPROVAL,
    "choose-1": APPROVAL,
    "cumulative": CUMULATIVE,
}
"""The vote types we count, and the kind of ballot each one is."""
PABULIB_RULES = {
    "greedy": GREEDY,
    "greedy-threshold": GREEDY,
    "greedy-no-skip": GREEDY_NO_SKIP,
    "equalshares": MES,
    "equalshares/add1": MES,
}
"""META ``rule`` names and our rule for each (the threshold is the input's ``min_score``)."""


@dataclass
class PabulibInstance:
    """The content of one pabulib file: META as a dict, PROJECTS and VOTES as rows."""

    meta: dict[str, str] = field(default_factory=dict)
    projects: list[dict[str, str]] = field(default_factory=list)
    votes: list[dict[str, str]] = field(default_factory=list)
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int:
        if "budget" not in self.meta:
            raise ValueError("META has no budget")
        return parse_amount(self.meta["budget"], "budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "").strip().lower()

    @property
    def rule(self) -> str:
        """Our rule for the one META names (greedy if it names none); ValueError if unknown."""
        name = self.meta.get("rule", "").strip()
        return rule_from_pabulib(name) if name else GREEDY

    @property
    def min_length(self) -> int | None:
        return _meta_int(self, "min_length")

    @property
    def max_length(self) -> int | None:
        return _meta_int(self, "max_length")

    @property
    def project_ids(self) -> list[str]:
        """Project ids in file order."""
        return [row["project_id"].strip() for row in self.projects]

    def project(self, project_id: str) -> dict[str, str]:
        for row in self.projects:
            if row["project_id"].strip() == project_id:
                return row
        raise KeyError(project_id)

    def cost(self, project_id: str) -> int:
        return parse_amount(self.project(project_id)["cost"], f"cost of {project_id}")

    @property
    def ballots(self) -> list[tuple[str, ...]]:
        """Each vote's ``vote`` column as project ids in the voter's order."""
        return [split_ids(row.get("vote", "")) for row in self.votes]

    @property
    def points(self) -> list[tuple[int, ...]]:
        """Each vote's ``points`` column (cumulative ballots), one number per listed project."""
        rows = []
        for number, row in enumerate(self.votes, start=1):
            ballot = split_ids(row.get("vote", ""))
            cells = split_ids(row.get("points", ""))
            if len(cells) != len(ballot):
                raise ValueError(
                    f"vote {number} (voter {row.get('voter_id', '').strip()!r}) lists "
                    f"{len(ballot)} project(s) but {len(cells)} number(s) of points"
                )
            try:
                given = tuple(int(c) for c in cells)
            except ValueError:
                raise ValueError(
                    f"vote {number}: points {row.get('points', '')!r} are not whole numbers"
                ) from None
            rows.append(given)
        return rows

    @property
    def selected_ids(self) -> list[str] | None:
        """Ids whose ``selected`` column is 1, in file order (None without that column)."""
        if "selected" not in self.project_columns:
            return None
        return [row["project_id"].strip() for row in self.projects if _truthy(row["selected"])]

    @property
    def scores(self) -> dict[str, int] | None:
        """The ``score`` column as ints (None without that column)."""
        if "score" not in self.project_columns:
            return None
        return {row["project_id"].strip(): int(row["score"]) for row in self.projects}


def parse_pabulib(source: str | PathLike[str]) -> PabulibInstance:
    """Parse pabulib text, or the file at a path (a str without a line break is a path)."""
    if isinstance(source, PathLike) or "\n" not in source:
        return parse_pabulib_text(Path(source).read_text(encoding="utf-8-sig"))
    return parse_pabulib_text(source)


def parse_pabulib_text(text: str) -> PabulibInstance:
    """Parse pabulib text (never read as a path: an upload's content comes here)."""
    text = text.removeprefix("\ufeff")
    instance = PabulibInstance()
    section = ""
    header: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        name = row[0].strip().lower()
        if name in SECTIONS and all(not cell.strip() for cell in row[1:]):
            section = name
            try:
                header = [cell.strip() for cell in next(reader)]
            except StopIteration:
                raise ValueError(f"section {row[0]!r} has no header row") from None
            if section == "projects":
                instance.project_columns = header
            elif section == "votes":
                instance.vote_columns = header
            continue
        if section == "meta":
            instance.meta[row[0].strip()] = ";".join(row[1:])
        elif section in ("projects", "votes"):
            if len(row) > len(header):
                raise ValueError(f"line {reader.line_num}: more cells than the header has")
            cells = dict(zip(header, row, strict=False))
            for column in header[len(row) :]:
                cells[column] = ""
            (instance.projects if section == "projects" else instance.votes).append(cells)
        else:
            raise ValueError(f"line {reader.line_num}: data before the META section")
    if "project_id" not in instance.project_columns:
        raise ValueError("PROJECTS section without a project_id column")
    return instance


def write_pabulib(instance: PabulibInstance) -> str:
    """The instance as pabulib text (``\\n`` line ends, minimal CSV quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in instance.meta.items():
        writer.writerow([key, value])
    for name, columns, rows in (
        ("PROJECTS", instance.project_columns, instance.projects),
        ("VOTES", instance.vote_columns, instance.votes),
    ):
        columns = columns or _columns_of(rows)
        writer.writerow([name])
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def tally_input_from_pabulib(instance: PabulibInstance) -> TallyInput:
    """The election in ``instance``; ties are broken by the order of PROJECTS.

    Vote types ``ordinal``, ``approval``, ``choose-1`` (approval of one project) and
    ``cumulative`` (the VOTES ``points`` column); a file without ``vote_type`` is ordinal.
    K is ``max_length`` from META (1 for ``choose-1``), or the longest ballot when META has
    none; on cumulative files ``max_ranks`` holds ``max_sum_points`` (or the largest number
    of points on one ballot).  The minimum score is META ``min_project_score_threshold``
    (default 1): points for ordinal and cumulative ballots, votes for approval ones.
    Raises ValueError, with a sentence saying what is wrong, for a file that cannot be counted.
    """
    vote_type = instance.vote_type or ORDINAL
    kind = PABULIB_VOTE_TYPES.get(vote_type)
    if kind is None:
        known = ", ".join(PABULIB_VOTE_TYPES)
        raise ValueError(f"cannot count vote type {vote_type!r}; expected one of {known}")
    if not instance.projects:
        raise ValueError("the PROJECTS section lists no projects")
    if "cost" not in instance.project_columns:
        raise ValueError("PROJECTS section without a cost column")
    if "vote" not in instance.vote_columns:
        raise ValueError("VOTES section without a vote column")
    projects = tuple(
        TallyProject(
            id=row["project_id"].strip(),
            cost=parse_amount(row["cost"], f"cost of project {row['project_id'].strip()!r}"),
            name=row.get("name", ""),
        )
        for row in instance.projects
    )
    ballots = tuple(instance.ballots)
    points = None
    if kind == CUMULATIVE:
        points = tuple(instance.points)
        k = _meta_int(instance, "max_sum_points")
        if k is None:
            k = max((sum(p) for p in points), default=1)
    elif vote_type == "choose-1":
        k = instance.max_length or 1
    else:
        k = instance.max_length
        if k is None:
            k = max((len(b) for b in ballots), default=1)
    threshold = _meta_int(instance, "min_project_score_threshold")
    return TallyInput(
        projects=projects,
        budget=instance.budget,
        ballots=ballots,
        max_ranks=k,
        kind=kind,
        points=points,
        min_score=1 if threshold is None else threshold,
    )


def pabulib_from_tally_input(
    inp: TallyInput,
    meta: dict[str, str] | None = None,
    voter_ids: Iterable[str] | None = None,
    rule: str = GREEDY,
) -> PabulibInstance:
    """A pabulib instance for ``inp`` of any kind (PROJECTS in tie-break order).

    META names the vote type, ``rule`` (see :func:`pabulib_rule`), the minimum score as
    ``min_project_score_threshold`` and the ballot limits: ``min_length``/``max_length``
    (K) for ordinal and approval ballots, ``min_sum_points``/``max_sum_points`` for
    cumulative ones (``max_ranks``, or the largest number of points on one ballot if that
    is more).  Cumulative ballots get a ``points`` column.  ``meta`` adds or overrides META
    entries; ``voter_ids`` (e.g. receipt codes) name the ballots, which are otherwise
    numbered from 1.
    """
    if voter_ids is None:
        voter_ids = (str(i + 1) for i in range(len(inp.ballots)))
    ids = list(voter_ids)
    if len(ids) != len(inp.ballots):
        raise ValueError("one voter id per ballot is needed")
    full_meta = {
        "description": "",
        "country": "",
        "unit": "",
        "instance": "",
        "num_projects": str(len(inp.projects)),
        "num_votes": str(len(inp.ballots)),
        "budget": str(inp.budget),
        "vote_type": inp.kind,
        "rule": pabulib_rule(rule, inp.min_score),
    }
    votes = [{"voter_id": v, "vote": ",".join(b)} for v, b in zip(ids, inp.ballots, strict=True)]
    vote_columns = ["voter_id", "vote"]
    if inp.kind == CUMULATIVE:
        given = inp.points or ()
        most = max((sum(p) for p in given), default=0)
        full_meta["min_sum_points"] = "1"
        full_meta["max_sum_points"] = str(max(inp.max_ranks, most, 1))
        for row, p in zip(votes, given, strict=True):
            row["points"] = ",".join(str(x) for x in p)
        vote_columns.append("points")
    else:
        full_meta["min_length"] = "1"
        full_meta["max_length"] = str(inp.max_ranks)
    full_meta["min_project_score_threshold"] = str(inp.min_score)
    full_meta.update(meta or {})
    return PabulibInstance(
        meta=full_meta,
        projects=[{"project_id": p.id, "cost": str(p.cost), "name": p.name} for p in inp.projects],
        votes=votes,
        project_columns=["project_id", "cost", "name"],
        vote_columns=vote_columns,
    )


def rule_from_pabulib(name: str) -> str:
    """Our rule for a pabulib META ``rule`` (``greedy-threshold`` is greedy: the threshold
    is the input's ``min_score``); ValueError for a rule we do not count."""
    rule = PABULIB_RULES.get(name.strip().lower())
    if rule is None:
        known = ", ".join(PABULIB_RULES)
        raise ValueError(f"cannot count with the rule {name.strip()!r}; expected one of {known}")
    return rule


def pabulib_rule(rule: str, min_score: int = 1) -> str:
    """The pabulib META ``rule`` for our ``rule`` with minimum score ``min_score``."""
    if rule == GREEDY:
        return "greedy-threshold" if min_score > 1 else "greedy"
    if rule == GREEDY_NO_SKIP:
        return "greedy-no-skip"
    if rule == MES:
        return "equalshares/add1"
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def split_ids(cell: str) -> tuple[str, ...]:
    """A comma-separated list of project ids, blanks dropped."""
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def parse_amount(text: str, what: str = "amount") -> int:
    """A whole amount of money ("1000", "1000.0", "1000,00"); ValueError otherwise."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what}: {text!r} is not a whole amount")
    return int(value)


def _optional_int(text: str | None, what: str = "number") -> int | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
        if value == value.to_integral_value():
            return int(value)
    except (InvalidOperation, ArithmeticError):
        pass
    raise ValueError(f"{what}: {text.strip()!r} is not a whole number")


def _meta_int(instance: PabulibInstance, key: str) -> int | None:
    return _optional_int(instance.meta.get(key), f"META {key}")


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes")


def _columns_of(rows: list[dict[str, str]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def tally_pabulib(
    path: str | PathLike[str], rule: str | None = None
) -> tuple[TallyInput, TallyResult]:
    """Read a pabulib file and count it with ``rule`` (default: the rule its META names, or
    greedy if it names none); ties are broken by the order of its PROJECTS."""
    instance = parse_pabulib(path)
    inp = tally_input_from_pabulib(instance)
    return inp, run_tally(inp, rule or instance.rule)
