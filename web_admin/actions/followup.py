"""Implementation updates (SKR step 7) and staff broadcasts (step 8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import (
    Delivery,
    ImplementationStatus,
    ImplementationUpdate,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
    StaffUser,
)
from budgeting.services.notifications import enqueue
from budgeting.services.outbox import audience as outbox_audience
from budgeting.services.proposals import clean_text
from web_admin.actions import ActionRefused, audit, tell_followers

BROADCAST_MAX_LENGTH = 3500
"""Leaves room under Telegram's 4096 characters per message."""
AUDIENCES = ("all", "area", "followers", "not_voted")


async def add_implementation_update(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    status: str,
    progress: int | None,
    body: str,
    photo_ref: str | None,
    now: datetime,
) -> ImplementationUpdate:
    """Report progress on a selected project; its followers are told (IMPLEMENTATION)."""
    if proposal.status != ProposalStatus.SELECTED:
        raise ActionRefused(_("Only selected projects are implemented."))
    if status not in {s.value for s in ImplementationStatus}:
        raise ActionRefused(_("Choose a status."))
    if progress is None or not 0 <= progress <= 100:
        raise ActionRefused(_("Progress is a number from 0 to 100."))
    body = clean_text(body)[:2000]
    if not body:
        raise ActionRefused(_("Write a short text about what happened."))
    update = ImplementationUpdate(
        proposal_id=proposal.id,
        status=status,
        progress=progress,
        body=body,
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
        {"status": status, "progress": progress, "text": body, "photo": photo_ref},
        now,
    )
    return update


@dataclass(frozen=True)
class Broadcast:
    """A message staff wrote in each language, and who it is for."""

    texts: dict[str, str]
    audience: dict[str, Any]
    due_at: datetime


def broadcast_audience(kind: str, area_id: int | None, proposal_id: int | None) -> dict[str, Any]:
    """The outbox's audience filter for a choice on the form."""
    if kind == "all":
        return {}
    if kind == "area" and area_id is not None:
        return {"area_id": area_id}
    if kind == "followers" and proposal_id is not None:
        return {"followers_of": proposal_id}
    if kind == "not_voted":
        return {"voted": False}
    raise ActionRefused(_("Choose who gets the message."))


def check_broadcast(
    round_: Round,
    texts: dict[str, str],
    audience: dict[str, Any],
    due_at: datetime | None,
    now: datetime,
    proposal_round: int | None = None,
) -> Broadcast:
    """A broadcast ready to queue, or ActionRefused."""
    texts = {lang: clean_text(t) for lang, t in texts.items() if clean_text(t)}
    if "sv" not in texts:
        raise ActionRefused(_("Write the message in Swedish at least."))
    if any(len(t) > BROADCAST_MAX_LENGTH for t in texts.values()):
        raise ActionRefused(
            _("A message may be at most {limit} characters."), limit=BROADCAST_MAX_LENGTH
        )
    if "area_id" in audience and audience["area_id"] not in {a.id for a in round_.areas}:
        raise ActionRefused(_("Choose who gets the message."))
    if "followers_of" in audience and proposal_round != round_.id:
        raise ActionRefused(_("Choose who gets the message."))
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
    if notification.status != "pending" or started:
        raise ActionRefused(_("Sending has started; the message can no longer be withdrawn."))
    await audit(session, staff, "broadcast.cancel", f"notification:{notification.id}")
    await session.delete(notification)
    await session.flush()
