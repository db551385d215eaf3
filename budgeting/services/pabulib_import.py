"""A pabulib file brought in as a closed round: read and check it, preview it, import it.

``budgetbot import --pabulib`` and the admin's upload both come here, so a file is refused
with the same one line and imported the same way.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import Round, StaffUser
from budgeting.pabulib import (
    PabulibInstance,
    parse_pabulib_text,
    tally_input_from_pabulib,
)
from budgeting.services.exchange import import_instance
from budgeting.services.staff.audit import audit
from budgeting.tally.model import TallyProject

FILE_PROBLEMS = (OSError, ValueError, csv.Error)
"""What reading a file that cannot be counted raises (a bad encoding is a ValueError)."""
PREVIEW_PROJECTS = 10
"""How many projects the preview lists."""


@dataclass(frozen=True)
class PabulibFile:
    """A pabulib file read and checked: it can be counted and imported."""

    instance: PabulibInstance
    sha256: str

    def preview(self, first: int = PREVIEW_PROJECTS) -> PabulibPreview:
        """What staff check before importing the file."""
        meta = self.instance.meta
        inp = tally_input_from_pabulib(self.instance)
        return PabulibPreview(
            description=meta.get("description", "").strip(),
            budget=inp.budget,
            currency=meta.get("currency", "").strip(),
            vote_type=self.instance.vote_type or "ordinal",
            rule=self.instance.rule,
            rule_name=meta.get("rule", "").strip(),
            projects=len(inp.projects),
            ballots=len(inp.ballots),
            first_projects=list(inp.projects[:first]),
            sha256=self.sha256,
        )


@dataclass(frozen=True)
class PabulibPreview:
    """A file's META (description, budget, vote type, rule), its counts, its first projects."""

    description: str
    budget: int
    currency: str
    vote_type: str
    rule: str
    rule_name: str
    projects: int
    ballots: int
    first_projects: list[TallyProject]
    sha256: str


def read_pabulib_file(source: bytes | str | PathLike[str]) -> PabulibFile:
    """Read a pabulib file (the bytes of an upload, or a path) and check that it can be
    counted as the tally counts it; raises one of ``FILE_PROBLEMS`` with the reason."""
    content = source if isinstance(source, bytes) else Path(source).read_bytes()
    instance = parse_pabulib_text(content.decode("utf-8-sig"))
    tally_input_from_pabulib(instance).validate()
    instance.rule  # noqa: B018 - a rule the tally does not know is refused now, not at the count
    return PabulibFile(instance, hashlib.sha256(content).hexdigest())


def problem_reason(problem: Exception) -> str:
    """One line saying what is wrong with a file."""
    reason = problem.strerror if isinstance(problem, OSError) else str(problem)
    return " ".join((reason or type(problem).__name__).split())


def cannot_count(gettext: Callable[[str], str], file: str, problem: Exception) -> str:
    """The one line a file that cannot be counted gets, in the reader's language."""
    return gettext(_("Cannot count {file}: {reason}")).format(
        file=file, reason=problem_reason(problem)
    )


async def import_pabulib_file(
    session: AsyncSession,
    file: PabulibFile,
    staff: StaffUser | None = None,
    slug: str | None = None,
) -> Round:
    """Create a closed round from a checked file (one area, its projects and ballots),
    recorded in the audit log with the file's SHA-256."""
    round_ = await import_instance(session, file.instance, slug)
    await audit(
        session,
        staff,
        "round.import",
        f"round:{round_.id}",
        sha256=file.sha256,
        projects=len(file.instance.projects),
        ballots=len(file.instance.votes),
    )
    return round_


async def imported_round(session: AsyncSession, slug: str) -> Round | None:
    """The round imported under ``slug`` (a second submit of one upload finds the first's)."""
    return await session.scalar(select(Round).where(Round.slug == slug))
