"""The notification outbox and its per-recipient deliveries, the replies of turns waiting
to be sent, plus survey answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from budgeting.models.base import Base, utcnow


class NotificationKind(StrEnum):
    """Kinds of message a participant can opt out of one by one."""

    IDEAS_OPEN = "ideas_open"
    VOTING_OPENS = "voting_opens"
    VOTING_CLOSES = "voting_closes"
    REVIEW_OUTCOME = "review_outcome"
    FOLLOWED_CHANGED = "followed_changed"
    RESULTS = "results"
    DECISION = "decision"
    IMPLEMENTATION = "implementation"
    SURVEY = "survey"
    BROADCAST = "broadcast"
    COMMENT_HIDDEN = "comment_hidden"
    COMMENTS_ON_MINE = "comments_on_mine"
    """New comments on the participant's own idea (batched per proposal)."""
    REPLIES = "replies"
    """Answers to the participant's comment (batched per proposal)."""
    COMMENTS_FOLLOWED = "comments_followed"
    """New comments on a proposal the participant follows (batched per proposal)."""


class Notification(Base):
    """Something to tell participants, waiting in the outbox until it is due."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_participant_proposal", "participant_id", "proposal_id"),
        UniqueConstraint("once_key", name="uq_notifications_once_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    """The worker's claim token while it holds the lease; only it may renew or release."""
    once_key: Mapped[str | None] = mapped_column(String(64))
    """Set on messages a round sends only once (a phase's opening, by date or by hand)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One notification delivered (or skipped) to one participant; never twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="sent")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutgoingReply(Base):
    """A turn's replies, stored with its effects and deleted once the channel took them.

    ``address`` is where they go in the channel's own terms (a Telegram chat and the
    message to edit, a Teams conversation reference). The process that handled the turn
    holds the lease (``owner``) while it sends; after a crash or a failure another takes
    the row over once the lease has run out.
    """

    __tablename__ = "outgoing_replies"
    __table_args__ = (UniqueConstraint("channel", "update_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(128))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    replies: Mapped[list[Any]] = mapped_column(default=list)
    owner: Mapped[str | None] = mapped_column(String(32), index=True)
    lease_until: Mapped[datetime] = mapped_column(index=True)
    delivered: Mapped[int] = mapped_column(default=0)
    """Messages the channel already took (a reply can be several); a resend skips them."""
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyAnswer(Base):
    """The end-of-round survey: Säter's three aims, 1–5 each, plus free text."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    understood: Mapped[int | None]
    discussion: Mapped[int | None]
    together: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
