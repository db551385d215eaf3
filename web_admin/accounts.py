"""Staff accounts: argon2id hashes computed off the event loop, and checking a login.

argon2id is slow on purpose (about 150 ms of CPU and 64 MiB per hash here). Run on the
event loop, 50 logins at once stalled every other request for up to 6 s; here each hash
runs in a small pool of its own low-priority threads (argon2 releases the GIL), so the
loop keeps serving and at most ``HASHING_THREADS`` hashes compete with it for the CPU;
further logins queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import StaffRole, StaffUser, utcnow
from budgeting.services.errors import RuleViolation
from web_admin.login_delays import LoginKeys, claim, release
from web_admin.password_strength import MIN_LENGTH as PASSWORD_MIN_LENGTH
from web_admin.password_strength import password_problem

__all__ = [
    "PASSWORD_MIN_LENGTH",
    "LoginAttempt",
    "LoginResult",
    "add_user",
    "authenticate",
    "find_user",
    "hash_password",
    "password_problem",
    "verify_password",
]

hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = hasher.hash("a password nobody has")


def _cores() -> int:
    """The cores this process may run on (not the machine's, where they differ)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


HASHING_THREADS = min(4, max(2, _cores() // 2))
"""argon2 hashes computed at once: 2 on 2 cores, up to 4 on bigger machines. argon2 is
bound by memory bandwidth, so more threads add little; niced, they leave the event loop
its share: on 2 cores, 50 logins at once kept /healthz's p99 at 40-45 ms (SQLite and
PostgreSQL), the last login answered after 6-6.6 s (1 thread: 7-7.8 s; bench/logins.py)."""
HASHING_NICENESS = 10
"""The hashing threads yield the CPU to the event loop (and the database) when both want it."""


def _lower_priority() -> None:
    """Make this (hashing) thread nice on Linux, where a thread has a priority of its own."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


_hashing = ThreadPoolExecutor(
    max_workers=HASHING_THREADS, thread_name_prefix="argon2", initializer=_lower_priority
)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, computed in the hashing threads."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches ``password_hash``; checked in the hashing threads."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, _verify, password_hash, password)


async def add_user(session: AsyncSession, email: str, password: str, role: str) -> StaffUser:
    """Create a staff account; the password must pass ``password_problem`` and is stored
    only as an argon2id hash. Refusals are ``RuleViolation`` with a translatable message."""
    role = StaffRole(role)
    email = normalize_email(email)
    if "@" not in email:
        raise RuleViolation("staff_email", _("Give a valid e-mail address."))
    problem = password_problem(password, email)
    if problem is not None:
        raise problem
    if await find_user(session, email) is not None:
        raise RuleViolation(
            "staff_email_taken", _("A staff account with this e-mail address already exists.")
        )
    user = StaffUser(email=email, password_hash=await hash_password(password), role=role.value)
    session.add(user)
    await session.flush()
    return user


async def find_user(session: AsyncSession, email: str) -> StaffUser | None:
    """The account with this e-mail address, if any."""
    stmt = select(StaffUser).where(func.lower(StaffUser.email) == normalize_email(email))
    return (await session.scalars(stmt)).first()


class LoginResult(StrEnum):
    """What came of a login attempt."""

    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome; the account it concerned, when it exists; how long to wait, if so."""

    result: LoginResult
    user: StaffUser | None = None
    wait: timedelta = timedelta(0)


async def authenticate(
    session: AsyncSession,
    email: str,
    password: str,
    keys: LoginKeys,
    now: datetime | None = None,
) -> LoginAttempt:
    """Check a password, within the waits of ``web_admin.login_delays``.

    While a wait runs for the client address or the account (``keys``), the answer is
    WAIT, without looking at the account or the password. Otherwise the attempt is
    counted as a failure first (committed, so no database connection is held while
    argon2 works and concurrent attempts see the count), then the password is checked; an unknown
    address is checked against a dummy hash, so it costs the same time and gives the
    same answer (WRONG) as a wrong password. A right password takes the failure back
    and records the login (flushed, not committed). No account is ever locked.
    """
    now = now or utcnow()
    wait = await claim(session, keys, now)
    if wait is not None:
        return LoginAttempt(LoginResult.WAIT, wait=wait)
    user = await find_user(session, email)
    await session.commit()  # no connection is held while the hash is checked
    right = await verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not user.active or not right:  # deactivated: as if unknown
        return LoginAttempt(LoginResult.WRONG, user if user is not None and user.active else None)
        return LoginAttempt(LoginResult.WRONG, user)
    await release(session, keys, now)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
    user.last_login_at = now
    await session.flush()
    return LoginAttempt(LoginResult.OK, user)
