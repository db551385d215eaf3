"""Staff accounts: argon2id password hashes, login with lockout after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import StaffRole, StaffUser, utcnow

MAX_FAILURES = 5
"""Wrong passwords in a row before the account is locked."""
LOCKOUT = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 12

hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = hasher.hash("a password nobody has")


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


async def add_user(session: AsyncSession, email: str, password: str, role: str) -> StaffUser:
    """Create a staff account; the password is stored only as an argon2id hash."""
    role = StaffRole(role)
    email = normalize_email(email)
    if "@" not in email:
        raise ValueError("not an e-mail address")
    check_password(password)
    if await find_user(session, email) is not None:
        raise ValueError("a staff user with this e-mail address exists")
    user = StaffUser(email=email, password_hash=hasher.hash(password), role=role.value)
    session.add(user)
    await session.flush()
    return user


def check_password(password: str) -> None:
    """A password good enough for a staff account; ``ValueError`` saying why not."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"the password must be at least {PASSWORD_MIN_LENGTH} characters")


def password_matches(user: StaffUser, password: str) -> bool:
    """True if ``password`` is the account's (argon2id; blocking, run it in a thread)."""
    return _verify(user.password_hash, password)


def hash_password(password: str) -> str:
    """The argon2id hash to store (blocking, run it in a thread)."""
    return hasher.hash(password)


async def find_user(session: AsyncSession, email: str) -> StaffUser | None:
    """The account with this e-mail address, if any."""
    stmt = select(StaffUser).where(func.lower(StaffUser.email) == normalize_email(email))
    return (await session.scalars(stmt)).first()


class LoginResult(StrEnum):
    """What came of a login attempt."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome and, when known, the account it concerned."""

    result: LoginResult
    user: StaffUser | None = None


async def authenticate(
    session: AsyncSession, email: str, password: str, now: datetime | None = None
) -> LoginAttempt:
    """Check a password; count failures and lock the account after ``MAX_FAILURES``.

    A locked account refuses even the right password until ``locked_until``. Unknown
    addresses cost as much time as known ones, so they cannot be told apart.
    """
    now = now or utcnow()
    user = await find_user(session, email)
    if user is None or not user.active:  # a deactivated account answers as an unknown one
        _verify(_DUMMY_HASH, password)
        return LoginAttempt(LoginResult.WRONG)
    if user.locked_until is not None and user.locked_until > now:
        _verify(_DUMMY_HASH, password)  # as slow as a real check
        return LoginAttempt(LoginResult.LOCKED, user)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + LOCKOUT
            await session.flush()
            return LoginAttempt(LoginResult.LOCKED, user)
        await session.flush()
        return LoginAttempt(LoginResult.WRONG, user)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    await session.flush()
    return LoginAttempt(LoginResult.OK, user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
