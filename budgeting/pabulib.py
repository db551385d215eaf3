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
from budgeting.tally.model import GREEDY, TallyInput, TallyProject, TallyResult

SECTIONS = ("meta", "projects", "votes")


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
        return parse_amount(self.meta["budget"], "budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "").strip().lower()

    @property
    def min_length(self) -> int | None:
        return _optional_int(self.meta.get("min_length"))

    @property
    def max_length(self) -> int | None:
        return _optional_int(self.meta.get("max_length"))

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
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = source.removeprefix("\ufeff")
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
    """The ranked election in ``instance``; ties are broken by the order of PROJECTS.

    K is ``max_length`` from META, or the longest ballot when META has none.
    """
    if instance.vote_type not in ("ordinal", ""):
        raise ValueError(f"cannot tally a {instance.vote_type!r} file; only ordinal (ranked)")
    projects = tuple(
        TallyProject(
            id=row["project_id"].strip(),
            cost=parse_amount(row["cost"], f"cost of project {row['project_id']}"),
            name=row.get("name", ""),
        )
        for row in instance.projects
    )
    ballots = tuple(instance.ballots)
    k = instance.max_length
    if k is None:
        k = max((len(b) for b in ballots), default=1)
    return TallyInput(projects=projects, budget=instance.budget, ballots=ballots, max_ranks=k)


def pabulib_from_tally_input(
    inp: TallyInput,
    meta: dict[str, str] | None = None,
    voter_ids: Iterable[str] | None = None,
) -> PabulibInstance:
    """An ordinal pabulib instance for ``inp`` (PROJECTS in tie-break order).

    ``meta`` adds or overrides META entries; ``voter_ids`` (e.g. receipt codes) name the
    ballots, which are otherwise numbered from 1.
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
        "vote_type": "ordinal",
        "rule": "greedy",
        "max_length": str(inp.max_ranks),
    }
    full_meta.update(meta or {})
    return PabulibInstance(
        meta=full_meta,
        projects=[{"project_id": p.id, "cost": str(p.cost), "name": p.name} for p in inp.projects],
        votes=[{"voter_id": v, "vote": ",".join(b)} for v, b in zip(ids, inp.ballots, strict=True)],
        project_columns=["project_id", "cost", "name"],
        vote_columns=["voter_id", "vote"],
    )


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


def _optional_int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    return int(text.strip())


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes")


def _columns_of(rows: list[dict[str, str]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def tally_pabulib(path: str | PathLike[str], rule: str = GREEDY) -> tuple[TallyInput, TallyResult]:
    """Read a pabulib file and count it; ties are broken by the order of its PROJECTS."""
    inp = tally_input_from_pabulib(parse_pabulib(path))
    return inp, run_tally(inp, rule)
