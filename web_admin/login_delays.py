"""Growing waits after wrong passwords, per account and per client address, in the database.

No account is ever locked. Instead every wrong password makes the next attempt wait:

- **per client address** (the attacker's own address is slowed down most): 5 failures
  are free, then 2 s, doubling up to 5 minutes; forgotten after a day without failures.
  An IPv6 client counts by its /64 network, which one machine is usually given whole.
- **per account** (guessing one account from many addresses): 3 failures are free, then
  1 s, doubling up to only 30 s; forgotten after an hour. A stranger can therefore make the
  owner wait at most half a minute, never lock them out, and a browser that has logged in
  to the account before (it holds the ``budgetbot_device`` cookie, see ``device_proof``)
  skips the account's wait altogether; it still waits for its own address's.

An attempt *claims* its slot before the password is checked: the failure is counted at
once (and taken back if the password was right), in a short transaction of its own, so
50 requests sent at the same moment cannot all slip through before any failure is
stored. An attempt made while a wait runs is answered "wait" without looking at the
password and is not counted, so hammering does not lengthen the wait. Unknown e-mail
addresses are treated exactly as known ones, so the answers tell nothing about which
accounts exist. Rows hold an HMAC (keyed with the secret key) of the normalized e-mail
or address, never the address itself; they live in the database, so every worker
shares them and a restart forgets nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import upsert
from budgeting.models import LoginFailure
from web_admin.client_address import parse_ip


class Kind(StrEnum):
    """What a row counts the failures of."""

    ACCOUNT = "account"
    CLIENT = "client"


@dataclass(frozen=True)
class DelayPolicy:
    """How failures turn into a wait: ``free`` cost nothing, then ``first``, doubling to ``cap``."""

    free: int
    first: timedelta
    cap: timedelta
    forget_after: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """The wait before the next attempt once ``failures`` are counted."""
        if failures < self.free:
            return timedelta(0)
        return min(self.cap, self.first * 2 ** min(failures - self.free, 30))


POLICIES = {
    Kind.ACCOUNT: DelayPolicy(3, timedelta(seconds=1), timedelta(seconds=30), timedelta(hours=1)),
    Kind.CLIENT: DelayPolicy(5, timedelta(seconds=2), timedelta(minutes=5), timedelta(hours=24)),
}
KEEP = max(policy.forget_after for policy in POLICIES.values())
"""Rows without a failure for this long are deleted."""


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def client_key_source(address: str) -> str:
    """What a client address counts as: the address itself, or its /64 for IPv6."""
    ip = parse_ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip) if ip is not None else address


@dataclass(frozen=True)
class LoginKeys:
    """The rows one attempt counts against: the account's (unless the browser proved it
    logged in to this account before) and the client address's."""

    account: str
    client: str
    known_device: bool = False

    @classmethod
    def of(
        cls, secret: str, email: str, address: str, device_cookie: str | None = None
    ) -> LoginKeys:
        """The keys for ``email`` (normalized) tried from ``address``."""
        account = _hmac(secret, f"account|{email.strip().lower()}")
        client = _hmac(secret, f"client|{client_key_source(address)}")
        proof = device_proof(secret, account)
        known = device_cookie is not None and hmac.compare_digest(
            device_cookie.encode("utf-8", "replace"), proof.encode()
        )
        return cls(account, client, known)

    def counted(self) -> list[tuple[Kind, str]]:
        """The (kind, key) rows this attempt is counted against."""
        rows = [(Kind.CLIENT, self.client)]
        if not self.known_device:
            rows.append((Kind.ACCOUNT, self.account))
        return rows


def device_proof(secret: str, account_key: str) -> str:
    """The ``budgetbot_device`` cookie value that says "this browser logged in to this
    account before" (it cannot be made without the secret key)."""
    return _hmac(secret, f"device|{account_key}")[:40]


def _until(now: datetime, policy: DelayPolicy, failures: int) -> datetime | None:
    """When the next attempt may come (None: at once; a request that began a moment
    before ``now`` must not find itself made to wait by a wait of nothing)."""
    wait = policy.wait_after(failures)
    return now + wait if wait else None


async def _wait(session: AsyncSession, kind: Kind, key: str, now: datetime) -> timedelta:
    next_allowed = await session.scalar(
        select(LoginFailure.next_allowed_at).where(
            LoginFailure.kind == kind.value, LoginFailure.key == key
        )
    )
    if next_allowed is None or next_allowed <= now:
        return timedelta(0)
    return next_allowed - now


async def claim(session: AsyncSession, keys: LoginKeys, now: datetime) -> timedelta | None:
    """Count this attempt as a failure before its password is checked (not committed:
    the caller commits at once, so the row locks last only milliseconds).

    Returns None when the attempt may go ahead, or how long to wait (nothing counted, the
    transaction rolled back) when a wait runs for the client or the account. Call
    ``release`` if the password was right.
    """
    rows = keys.counted()
    waits = [await _wait(session, kind, key, now) for kind, key in rows]
    if max(waits) > timedelta(0):
        await session.rollback()
        return max(waits)
    table = LoginFailure.__table__
    for kind, key in rows:
        policy = POLICIES[kind]
        inserted = await session.execute(
            upsert(session, table)
            .values(kind=kind.value, key=key, failures=0, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
        )
        if inserted.rowcount:
            stale = LoginFailure.last_failure_at < now - KEEP
            await session.execute(delete(LoginFailure).where(stale))
        mine = (LoginFailure.kind == kind.value) & (LoginFailure.key == key)
        counted = await session.scalar(
            update(LoginFailure)
            .where(
                mine,
                or_(LoginFailure.next_allowed_at.is_(None), LoginFailure.next_allowed_at <= now),
            )
            .values(
                failures=case(
                    (LoginFailure.last_failure_at < now - policy.forget_after, 1),
                    else_=LoginFailure.failures + 1,
                ),
                last_failure_at=now,
            )
            .returning(LoginFailure.failures)
        )
        if counted is None:  # a concurrent attempt started a wait a moment ago
            await session.rollback()
            return max(await _wait(session, kind, key, now), timedelta(seconds=1))
        await session.execute(
            update(LoginFailure).where(mine).values(next_allowed_at=_until(now, policy, counted))
        )
    return None


async def release(session: AsyncSession, keys: LoginKeys, now: datetime) -> None:
    """The password was right: take back the failure ``claim`` counted (not committed).

    The count only goes down by this one attempt: what strangers tried before stays
    counted, so the owner logging in does not give them fresh free guesses.
    """
    for kind, key in keys.counted():
        row = await session.get(LoginFailure, (kind.value, key), with_for_update=True)
        if row is None:
            continue
        row.failures = max(row.failures - 1, 0)
        row.next_allowed_at = _until(now, POLICIES[kind], row.failures)
    await session.flush()
