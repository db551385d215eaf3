"""A budgeting round with its areas and criteria (SKR step 1)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from budgeting.models.base import Base, localized, utcnow


class Audience(StrEnum):
    """Who a round is for: residents (medborgarbudget) or employees (medarbetarbudget)."""

    RESIDENTS = "residents"
    EMPLOYEES = "employees"


class BallotKind(StrEnum):
    """How residents vote: rank up to K, choose up to K, or spread points."""

    RANKED = "ranked"
    APPROVAL = "approval"
    CUMULATIVE = "cumulative"


class SplitKind(StrEnum):
    """What the parts of a round are: areas people live in, themes, or groups of people."""

    AREA = "area"
    THEME = "theme"
    GROUP = "group"


class Round(Base):
    """One participatory-budgeting round following the SKR model."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.RESIDENTS)
    organisation: Mapped[str | None] = mapped_column(String(200))
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    budget: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    ballot_kind: Mapped[str] = mapped_column(String(16), default=BallotKind.RANKED)
    min_ranks: Mapped[int] = mapped_column(default=1)
    """Ranked and approval: the fewest projects a ballot may hold."""
    max_ranks: Mapped[int] = mapped_column(default=3)
    """Ranked and approval: K, the most projects a ballot may hold."""
    points_total: Mapped[int] = mapped_column(default=10)
    """Cumulative: the points each voter spreads (at most this many)."""
    points_per_project: Mapped[int] = mapped_column(default=5)
    """Cumulative: the most points a voter may give one project."""
    min_project_score: Mapped[int] = mapped_column(default=1)
    """The support (points, or votes on approval ballots) a project needs to be selected."""
    flag_threshold: Mapped[int] = mapped_column(default=3)
    """Different residents whose flags hide a comment at once, pending review."""
    title_max_length: Mapped[int] = mapped_column(default=120)
    description_max_length: Mapped[int] = mapped_column(default=2000)
    comment_digest_minutes: Mapped[int] = mapped_column(default=180)
    """Batching of comment notifications: at most one message per proposal and person
    in this many minutes (the first comment is told at once, later ones wait)."""
    ideas_opens_at: Mapped[datetime]
    review_opens_at: Mapped[datetime]
    voting_opens_at: Mapped[datetime]
    decision_opens_at: Mapped[datetime]
    implementation_opens_at: Mapped[datetime]
    followup_opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    phase_override: Mapped[str | None] = mapped_column(String(16))
    requires_voting_code: Mapped[bool] = mapped_column(default=False)
    moderators_enter_paper: Mapped[bool] = mapped_column(default=False)
    """Moderators may key in paper ballots too (admins always may)."""
    split_kind: Mapped[str] = mapped_column(String(8), default=SplitKind.AREA)
    """What the round's parts (the rows of ``areas``) are: areas, themes or groups."""
    one_ballot_per_part: Mapped[bool] = mapped_column(default=False)
    """Themes: a person may vote in each theme (one ballot per theme), not in one only."""
    tie_break: Mapped[str] = mapped_column(String(8), default="lot")
    """How equal points are ordered: ``lot`` (drawn at tally) or ``listed`` (proposal order)."""
    lot_seed: Mapped[int | None] = mapped_column(BigInteger)
    """The lot's seed, drawn at the first count and kept for every later one."""
    results_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    areas: Mapped[list[Area]] = relationship(
        back_populates="round", order_by="Area.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    def text(self, field: str, locale: str) -> str:
        """Staff-written text in ``locale``, falling back to Swedish."""
        return localized(self.texts, field, locale)


class Area(Base):
    """An area, theme or group of a round with its share of the budget."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    budget: Mapped[int]
    requires_voting_code: Mapped[bool] = mapped_column(default=False)
    """Groups: voting in this group needs a voting code (one issued for it, or for any)."""

    round: Mapped[Round] = relationship(back_populates="areas")

    def name(self, locale: str) -> str:
        """The area's name in ``locale``."""
        return localized(self.texts, "name", locale)


class Criterion(Base):
    """A criterion every proposal is reviewed against."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)

    round: Mapped[Round] = relationship(back_populates="criteria")

    def name(self, locale: str) -> str:
        """The criterion's wording in ``locale``."""
        return localized(self.texts, "name", locale)
