"""Follow-up (SKR step 8): compose a message per language, choose who gets it, preview, schedule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Notification, NotificationKind, Proposal, Round
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.staff import followup
from web_admin.deps import ADMIN_ONLY, DbSession, Now, RoundDep, RowId
from web_admin.forms import local_value, parse_local, text, whole_number
from web_admin.queries import broadcasts_of, proposals_of
from web_admin.responses import act, flash_refusal
from web_admin.templating import TEXT_LANGUAGES, render_page

router = APIRouter(prefix="/admin", tags=["broadcasts"], dependencies=ADMIN_ONLY)


async def _page(
    request: Request,
    db: DbSession,
    round_: Round,
    values: dict[str, Any],
    preview: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "broadcasts.html",
        {
            "round_": round_,
            "values": values,
            "preview": preview,
            "proposals": await proposals_of(db, round_.id),
            "broadcasts": await broadcasts_of(db, round_.id),
            "audiences": rules.AUDIENCES,
        },
        status_code,
    )


@router.get("/rounds/{round_id}/broadcasts")
async def broadcasts(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """Scheduled and sent broadcasts, and a form for a new one."""
    return await _page(request, db, round_, {"audience": "all", "texts": {}})


def _values(form: FormData) -> dict[str, Any]:
    return {
        "texts": {lang: text(form, f"text.{lang}", 5000) for lang in TEXT_LANGUAGES},
        "audience": text(form, "audience") or "all",
        "area_id": text(form, "area_id"),
        "proposal_id": text(form, "proposal_id"),
        "due_at": text(form, "due_at"),
    }


@router.post("/rounds/{round_id}/broadcasts")
async def compose_broadcast(
    request: Request, round_: RoundDep, db: DbSession, now: Now
) -> Response:
    """``action=preview`` shows the message and its audience; ``action=schedule`` queues it."""
    form = await request.form()
    values = _values(form)
    try:
        audience = rules.broadcast_audience(
            values["audience"], whole_number(values["area_id"]), whole_number(values["proposal_id"])
        )
        proposal = (
            await db.get(Proposal, audience["followers_of"]) if "followers_of" in audience else None
        )
        due_at = parse_local(values["due_at"], round_.timezone) if values["due_at"] else None
        broadcast = followup.check_broadcast(
            round_, values["texts"], audience, due_at, now, proposal.round_id if proposal else None
        )
    except RuleViolation as refused:
        flash_refusal(request, refused)
        return await _page(request, db, round_, values, status_code=400)
    if text(form, "action") != "schedule":
        preview = {
            "broadcast": broadcast,
            "recipients": await followup.audience_size(db, round_, broadcast.audience),
            "due": local_value(broadcast.due_at, round_.timezone),
        }
        return await _page(request, db, round_, values, preview)
    return await act(
        request,
        db,
        followup.schedule_broadcast(db, request.state.staff, round_, broadcast),
        _("The message is scheduled."),
        f"/admin/rounds/{round_.id}/broadcasts",
    )


@router.post("/broadcasts/{notification_id}/cancel")
async def cancel_broadcast(request: Request, notification_id: RowId, db: DbSession) -> Response:
    """Withdraw a broadcast that nobody has received yet."""
    notification = await db.get(Notification, notification_id)
    if (
        notification is None
        or notification.kind != NotificationKind.BROADCAST.value
        or notification.round_id is None
    ):
        raise HTTPException(status_code=404, detail="no such broadcast")
    return await act(
        request,
        db,
        followup.cancel_broadcast(db, request.state.staff, notification),
        _("The message is withdrawn."),
        f"/admin/rounds/{notification.round_id}/broadcasts",
    )
