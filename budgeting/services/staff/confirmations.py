"""Confirming an irreversible staff action: what it would tell whom, and acting only once.

Before staff publish, reject, merge or change a phase, they see who will be told. The
action is rehearsed: done in a savepoint, the notifications it queues counted by the
outbox's own audience and delivery policy, then undone. So the figures are those of the
very messages the action will queue, and a refusal shows before anything is confirmed.
Rehearsed actions must only write to the database.

A confirmation, once used, is spent (:class:`UsedConfirmation`, unique per nonce, in the
action's transaction): a double submit, or two at once, acts once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from budgeting.models import Notification, NotificationKind, UsedConfirmation
from budgeting.services.audiences import Reach, reach

KEEP_SPENT = timedelta(days=2)
"""How long a spent confirmation is remembered (far longer than one stays valid)."""


@dataclass(frozen=True)
class Told:
    """One message the action queues, and how many it will reach."""

    kind: NotificationKind
    personal: bool
    """For one participant (the author), not an audience."""
    reach: Reach


async def rehearse(session: AsyncSession, action: Callable[[], Awaitable[Any]]) -> list[Told]:
    """Do ``action`` in a savepoint, count who each notification it queues will reach, and
    undo it all. A refusal (``RuleViolation``) propagates, with nothing done.

    Objects the action changed are expired afterwards: load them again to show them.
    """
    queued: list[Notification] = []

    def collect(sync_session: Session, _flush: UOWTransaction) -> None:
        queued.extend(o for o in sync_session.new if isinstance(o, Notification))

    event.listen(session.sync_session, "after_flush", collect)
    savepoint = await session.begin_nested()
    try:
        await action()
        await session.flush()
        return [
            Told(NotificationKind(n.kind), n.participant_id is not None, await reach(session, n))
            for n in queued
        ]
    finally:
        await savepoint.rollback()
        event.remove(session.sync_session, "after_flush", collect)


async def is_spent(session: AsyncSession, nonce: str) -> bool:
    """True if the confirmation was used already."""
    return await session.get(UsedConfirmation, nonce) is not None


async def spend(session: AsyncSession, nonce: str, action: str, now: datetime) -> bool:
    """Mark the confirmation used, in the caller's transaction; False if it was already
    (also when another transaction spends it at the same time)."""
    await session.execute(
        delete(UsedConfirmation).where(UsedConfirmation.used_at < now - KEEP_SPENT)
    )
    if await is_spent(session, nonce):
        return False
    try:
        async with session.begin_nested():
            session.add(UsedConfirmation(nonce=nonce, action=action[:64], used_at=now))
    except IntegrityError:
        return False
    return True
