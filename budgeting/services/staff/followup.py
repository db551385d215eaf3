"""Implementation updates (SKR step 7) and staff broadcasts (step 8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Delivery,
    ImplementationUpdate,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    Round,
    StaffUser,
)
from budgeting.models.base import with_translations
from budgeting.services import rules
from budgeting.services.audiences import audience as outbox_audience
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import clean_text
from budgeting.services.staff.audit import audit
from budgeting.services.staff.followers import tell_followers
from budgeting.services.staff.translations import per_language

UPDATE_MAX_LENGTH = 2000


async def add_implementation_update(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    status: str,
    progress: int | None,
    body: str,
    photo_ref: str | None,
    now: datetime,
    translations: dict[str, str] | None = None,
) -> ImplementationUpdate:
    """Report progress on a selected project; its followers are told (IMPLEMENTATION).
    ``body`` is the Swedish text, ``translations`` the text in other languages."""
    body = clean_text(body)[:UPDATE_MAX_LENGTH]
    rules.check_implementation_update(proposal, status, progress, body)
    bodies = per_language(body, translations, UPDATE_MAX_LENGTH)
    update = ImplementationUpdate(
        proposal_id=proposal.id,
        status=status,
        progress=progress,
        body=body,
        texts=with_translations({}, "body", bodies),
        photo_ref=photo_ref,
        created_at=now,
    )
    session.add(update)
    proposal.implementation_status = status
    proposal.progress = progress
    proposal.updated_at = now
    await session.flush()
    await audit(
        session,
        staff,
        "implementation.update",
        f"proposal:{proposal.id}",
        status=status,
        progress=progress,
    )
    await tell_followers(
        session,
        NotificationKind.IMPLEMENTATION,
        proposal,
        {"status": status, "progress": progress, "text": body, "photo": photo_ref}
        | ({"texts": bodies} if len(bodies) > 1 else {}),
        now,
    )
    return update


@dataclass(frozen=True)
class Broadcast:
    """A message staff wrote in each language, and who it is for."""

    texts: dict[str, str]
    audience: dict[str, Any]
    due_at: datetime


def check_broadcast(
    round_: Round,
    texts: dict[str, str],
    audience: dict[str, Any],
    due_at: datetime | None,
    now: datetime,
    proposal_round: int | None = None,
) -> Broadcast:
    """A broadcast ready to queue (never due in the past), or RuleViolation."""
    texts = {lang: clean_text(t) for lang, t in texts.items() if clean_text(t)}
    rules.check_broadcast(round_, texts, audience, proposal_round)
    return Broadcast(texts, audience, max(due_at or now, now))


async def audience_size(session: AsyncSession, round_: Round, audience: dict[str, Any]) -> int:
    """How many participants the broadcast would reach now (before opt-outs)."""
    probe = Notification(
        kind=NotificationKind.BROADCAST.value,
        round_id=round_.id,
        payload={"audience": audience},
    )
    stmt = outbox_audience(probe).with_only_columns(func.count(Participant.id)).order_by(None)
    return int(await session.scalar(stmt) or 0)


async def schedule_broadcast(
    session: AsyncSession, staff: StaffUser, round_: Round, broadcast: Broadcast
) -> Notification:
    """Queue the broadcast in the outbox for its due time."""
    notification = await enqueue(
        session,
        NotificationKind.BROADCAST,
        round_id=round_.id,
        payload={"texts": broadcast.texts, "audience": broadcast.audience},
        due_at=broadcast.due_at,
    )
    await audit(
        session,
        staff,
        "broadcast.schedule",
        f"notification:{notification.id}",
        audience=broadcast.audience,
        languages=sorted(broadcast.texts),
        due_at=broadcast.due_at.isoformat(),
    )
    return notification


async def cancel_broadcast(
    session: AsyncSession, staff: StaffUser, notification: Notification
) -> None:
    """Withdraw a broadcast nobody has received yet."""
    started = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.notification_id == notification.id)
    )
    rules.check_withdrawable(notification.status, started or 0)
    await audit(session, staff, "broadcast.cancel", f"notification:{notification.id}")
    await session.delete(notification)
    await session.flush()
