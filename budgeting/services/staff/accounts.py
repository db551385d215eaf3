"""Staff accounts after they exist: roles, deactivation, passwords, logging out everywhere.

Each change that alters what a person may do ends their sessions at once (on every worker:
the sessions are rows). Password hashing stays with the admin; these get the hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import StaffRole, StaffSession, StaffUser
from budgeting.services import rules
from budgeting.services.staff.audit import audit
from budgeting.services.staff.sessions import end_sessions_of


async def _admins_left_without(session: AsyncSession, user: StaffUser) -> int:
    """How many active admins remain if ``user`` stops being one (rows locked on PostgreSQL,
    so two admins demoting each other at once cannot both pass)."""
    stmt = (
        select(StaffUser.id)
        .where(StaffUser.role == StaffRole.ADMIN.value, StaffUser.deactivated_at.is_(None))
        .with_for_update()
    )
    return sum(1 for uid in (await session.scalars(stmt)).all() if uid != user.id)


async def change_role(session: AsyncSession, staff: StaffUser, user: StaffUser, role: str) -> None:
    """Give ``user`` another role; their sessions end (they log in again with the new one)."""
    rules.check_staff_role(role)
    if role == user.role:
        return
    if user.role == StaffRole.ADMIN and user.active:
        rules.check_admins_left(await _admins_left_without(session, user))
    user.role = role
    ended = await end_sessions_of(session, user)
    await audit(session, staff, "staff.role", f"staff:{user.id}", role=role, sessions_ended=ended)


async def deactivate(
    session: AsyncSession, staff: StaffUser, user: StaffUser, now: datetime
) -> None:
    """Stop ``user`` logging in and end their sessions; the account and its history stay."""
    if not user.active:
        raise rules.refusal("already_deactivated")
    if user.role == StaffRole.ADMIN:
        rules.check_admins_left(await _admins_left_without(session, user))
    user.deactivated_at = now
    ended = await end_sessions_of(session, user)
    await audit(session, staff, "staff.deactivate", f"staff:{user.id}", sessions_ended=ended)


async def reactivate(session: AsyncSession, staff: StaffUser, user: StaffUser) -> None:
    """Let a deactivated account log in again (with its old password)."""
    if user.active:
        raise rules.refusal("not_deactivated")
    user.deactivated_at = None
    await audit(session, staff, "staff.reactivate", f"staff:{user.id}")
    await session.flush()


async def log_out_everywhere(session: AsyncSession, staff: StaffUser) -> int:
    """End every session of ``staff``, this one included; returns how many ended."""
    ended = await end_sessions_of(session, staff)
    await audit(session, staff, "logout.everywhere", f"staff:{staff.id}", sessions_ended=ended)
    return ended


async def set_password(
    session: AsyncSession, staff: StaffUser, password_hash: str, keep: StaffSession
) -> None:
    """Store ``staff``'s new password hash; every other session of theirs ends, ``keep``
    (the one they changed it in) goes on."""
    staff.password_hash = password_hash
    ended = await end_sessions_of(session, staff, keep=keep)
    await audit(session, staff, "staff.password", f"staff:{staff.id}", sessions_ended=ended)
