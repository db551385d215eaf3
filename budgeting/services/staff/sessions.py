"""Staff sessions kept in the database: the browser holds a random id, the row its hash.

Every worker sharing the database sees the same rows, so a session works on any of them
and ends on all of them at once when its row is deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import StaffSession, StaffUser

SESSION_LIFETIME = timedelta(hours=12)
"""A session ends this long after logging in, however active it was."""
IDLE_TIMEOUT = timedelta(hours=2)
"""A session ends after this long without a request."""
TOUCH_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often (not on every request)."""
USER_AGENT_LENGTH = 80


def hash_session_id(session_id: str) -> str:
    """What the database keeps of a session id: its SHA-256 (the id itself is random)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    """A new session: the id for the cookie (kept nowhere else) and its row."""

    session_id: str
    row: StaffSession


async def start_session(
    session: AsyncSession, user: StaffUser, now: datetime, user_agent: str | None = None
) -> Started:
    """A new session for ``user``; expired sessions of everyone are deleted on the way."""
    await delete_expired(session, now)
    session_id = secrets.token_urlsafe(32)
    row = StaffSession(
        id_hash=hash_session_id(session_id),
        staff_user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    await session.flush()
    return Started(session_id, row)


async def find_session(
    session: AsyncSession, session_id: str, now: datetime
) -> tuple[StaffSession, StaffUser] | None:
    """The live session with this id and its (active) staff member, or None."""
    stmt = (
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
        .where(StaffSession.id_hash == hash_session_id(session_id))
    )
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    row, user = found
    if not is_live(row, now) or not user.active:
        return None
    return row, user


async def touch_if_due(session: AsyncSession, row: StaffSession, now: datetime) -> bool:
    """Note the session as used now if ``last_seen_at`` is older than ``TOUCH_EVERY``;
    True if it did (flushed, not committed)."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    await session.flush()
    return True


def is_live(row: StaffSession, now: datetime) -> bool:
    """True before the session's absolute end and its idle timeout."""
    return now < row.expires_at and now < row.last_seen_at + IDLE_TIMEOUT


async def end_session(session: AsyncSession, session_id: str) -> None:
    """Delete the session with this id (logout); nothing if there is none."""
    await session.execute(
        delete(StaffSession).where(StaffSession.id_hash == hash_session_id(session_id))
    )


async def end_sessions_of(
    session: AsyncSession, user: StaffUser, keep: StaffSession | None = None
) -> int:
    """Delete every session of ``user`` (but ``keep``); returns how many ended."""
    stmt = delete(StaffSession).where(StaffSession.staff_user_id == user.id)
    if keep is not None:
        stmt = stmt.where(StaffSession.id_hash != keep.id_hash)
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def sessions_of(session: AsyncSession, user: StaffUser, now: datetime) -> list[StaffSession]:
    """The live sessions of ``user``, the most recently used first."""
    stmt = (
        select(StaffSession)
        .where(StaffSession.staff_user_id == user.id)
        .order_by(StaffSession.last_seen_at.desc())
    )
    return [row for row in (await session.scalars(stmt)).all() if is_live(row, now)]


async def delete_expired(session: AsyncSession, now: datetime) -> None:
    """Delete the sessions past their end or idle timeout (one indexed statement)."""
    await session.execute(
        delete(StaffSession).where(
            or_(StaffSession.expires_at <= now, StaffSession.last_seen_at <= now - IDLE_TIMEOUT)
        )
    )
