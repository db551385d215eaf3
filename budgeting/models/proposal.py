"""Proposals (ideas) through their whole life, with reviews, comments and followers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from budgeting.models.base import Base, utcnow


class ProposalStatus(StrEnum):
    """Where a proposal stands in the round."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


ON_BALLOT = (ProposalStatus.ACCEPTED, ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED)
PUBLIC = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, *ON_BALLOT)


class CouncilDecision(StrEnum):
    """The political decision on a selected project (SKR step 6)."""

    APPROVED = "approved"
    DECLINED = "declined"


class ImplementationStatus(StrEnum):
    """How far the implementation of a project has come (SKR step 7)."""

    NOT_STARTED = "not_started"
    PLANNING = "planning"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Proposal(Base):
    """An idea submitted by a participant, later a project on the ballot."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(64))
    """The project id in an imported pabulib file."""
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(String(200))
    original_description: Mapped[str | None] = mapped_column(Text)
    estimated_cost: Mapped[int]
    staff_cost: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.SUBMITTED, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    photo_ref: Mapped[str | None] = mapped_column(String(256))
    location: Mapped[str | None] = mapped_column(String(200))
    council_decision: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str | None] = mapped_column(Text)
    implementation_status: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(default=0)
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Staff texts per language, ``{"sv": {"reason": ..., "decision_note": ...}, "en": ...}``;
    ``rejection_reason`` and ``decision_note`` keep the Swedish (required) one."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    reviews: Mapped[list[Review]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )

    @property
    def cost(self) -> int:
        """The cost that counts: the staff estimate once there is one."""
        return self.staff_cost if self.staff_cost is not None else self.estimated_cost


class Review(Base):
    """Staff's assessment of one proposal against one criterion (SKR step 4)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("proposal_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    met: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="reviews")


class ImplementationUpdate(Base):
    """A progress report on a project being carried out (SKR step 7)."""

    __tablename__ = "implementation_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    """The Swedish text; ``texts`` has it per language (``{"en": {"body": ...}}``)."""
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    photo_ref: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A resident's contribution to the discussion of a proposal."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    """The resident who wrote it; None once they asked to be forgotten (the comment stays)."""
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    """Set on a staff answer, which is signed with the round's organisation."""
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    """The comment this one answers (one level of threading)."""
    body: Mapped[str] = mapped_column(Text)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    """Why residents no longer see it: staff's words, or a flag reason code (by flags)."""
    hidden_at: Mapped[datetime | None]
    hidden_by_flags: Mapped[bool] = mapped_column(default=False)
    """Hidden at once by residents' flags (pending review); ``hidden_reason`` is then the
    most given reason's code."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentAgreement(Base):
    """A participant agreeing with a comment (👍), at most once."""

    __tablename__ = "comment_agreements"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentFlag(Base):
    """A participant reporting a comment, with a reason code, at most once per comment.

    ``resolved_at`` is set when staff dealt with the flags (hid, restored or dismissed);
    only open flags count towards the round's threshold and the staff queue.
    """

    __tablename__ = "comment_flags"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class Support(Base):
    """A participant supporting an idea in the ideas phase; shown, never part of the tally."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follower(Base):
    """A participant who wants every update about a proposal."""

    __tablename__ = "followers"
    __table_args__ = (UniqueConstraint("participant_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
