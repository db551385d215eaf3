"""Staff accounts of the web admin, the audit log of their actions, and campaigns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from budgeting.models.base import Base, utcnow


class StaffRole(StrEnum):
    """Moderators review and moderate; admins also set up rounds and users."""

    ADMIN = "admin"
    MODERATOR = "moderator"


class StaffUser(Base):
    """A municipal officer who logs in to the admin (password hashed with argon2id)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=StaffRole.MODERATOR)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    """Set while the account is deactivated: it cannot log in and has no sessions."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def active(self) -> bool:
        """True unless an admin deactivated the account."""
        return self.deactivated_at is None


class StaffSession(Base):
    """A logged-in browser: its cookie holds a random id, this row only the id's hash."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Base):
    """Recent wrong passwords for one account or one client address, and the wait they cost.

    ``key`` is an HMAC of the normalized e-mail address or client address (never the
    address itself); ``kind`` says which. Known and unknown e-mail addresses get rows alike.
    """

    __tablename__ = "login_failures"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    next_allowed_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One staff action, kept for accountability."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UsedConfirmation(Base):
    """A confirmation of an irreversible staff action, spent: the same one never acts twice."""

    __tablename__ = "used_confirmations"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Campaign(Base):
    """A deep link / QR code tag used in marketing (SKR step 2)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
