"""Ballots with receipt codes, recorded tally runs and the files published with results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from budgeting.models.base import Base, utcnow


class BallotChannel(StrEnum):
    """Where a ballot came from: a chat channel, paper keyed in by staff, or an import."""

    TELEGRAM = "telegram"
    TEAMS = "teams"
    WHATSAPP = "whatsapp"
    CONSOLE = "console"
    PAPER = "paper"
    IMPORT = "import"


class Ballot(Base):
    """One participant's ballot in a round (or in one theme of it); replaced, never duplicated.

    A paper ballot keyed in by staff has no participant (like an imported one): it is
    found by its receipt code, written on the paper, and its voting code, if any.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", "slot"),
        UniqueConstraint("voting_code_id", "slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    voting_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("voting_codes.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(
        String(16), default=BallotChannel.IMPORT, server_default=BallotChannel.IMPORT.value
    )
    """The :class:`BallotChannel` the ballot was last cast through (counts per channel)."""
    slot: Mapped[int] = mapped_column(default=0)
    """0 where a person has one ballot in the round; the theme's id where they have one
    per theme. With it, the database keeps one ballot per person and slot (and per code)."""
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    ranks: Mapped[list[BallotRank]] = relationship(
        order_by="BallotRank.position", cascade="all, delete-orphan", lazy="selectin"
    )


class BallotRank(Base):
    """The project a ballot puts at one position (0 is the first choice).

    On a cumulative ballot ``points`` holds the points given to it (NULL otherwise).
    """

    __tablename__ = "ballot_ranks"
    __table_args__ = (
        UniqueConstraint("ballot_id", "proposal_id"),
        # counting sums points per project from this index alone (migration 0008)
        Index("ix_ballot_ranks_tally", "proposal_id", "position", "points"),
    )

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    points: Mapped[int | None]


class TallyRun(Base):
    """A recorded count of one area's ballots: rule, lot seed and the full result."""

    __tablename__ = "tally_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


class PublishedFile(Base):
    """An area's pabulib file as published with the results, frozen, with its SHA-256."""

    __tablename__ = "published_files"
    __table_args__ = (UniqueConstraint("round_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class VotingCode(Base):
    """A one-time code printed on a letter; it makes one person eligible for one ballot.

    Only a hash of the code is stored, so the database alone cannot be used to vote. A
    code issued in the admin belongs to a batch and has its letter number (``serial``), from
    which the code is derived again with the server's secret key to print the letters.
    A revoked code cannot be redeemed or vote; a ballot already cast with it stays.
    """

    __tablename__ = "voting_codes"
    __table_args__ = (
        UniqueConstraint("round_id", "code_hash"),
        UniqueConstraint("batch_id", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    redeemed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("voting_code_batches.id", ondelete="CASCADE")
    )
    serial: Mapped[int | None]
    revoked_at: Mapped[datetime | None]


class VotingCodeBatch(Base):
    """Codes issued together in the admin, for the whole round or for one area.

    ``form_token`` is the issuing form's one-time token: a second submit of the same
    form finds this batch instead of issuing again.
    """

    __tablename__ = "voting_code_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    size: Mapped[int]
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
