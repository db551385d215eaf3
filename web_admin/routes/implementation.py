"""Implementation (SKR step 7): status, progress, text and photo per selected project."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import ImplementationUpdate, ProposalStatus
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.staff import followup
from web_admin.deps import STAFF_ONLY, DbSession, Now, ProposalDep, RoundDep
from web_admin.forms import text, translations, whole_number
from web_admin.media import MAX_PHOTO_BYTES, NotAPhoto, save_photo
from web_admin.queries import proposals_of
from web_admin.responses import act, flash_refusal, see_other
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["implementation"], dependencies=STAFF_ONLY)


@router.get("/rounds/{round_id}/implementation")
async def implementation(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """Selected projects with their latest updates and a form for the next one; those the
    council declined are listed apart, as not implemented."""
    selected = await proposals_of(db, round_.id, [ProposalStatus.SELECTED.value])
    projects = [p for p in selected if rules.being_implemented(p)]
    updates: dict[int, list[ImplementationUpdate]] = {p.id: [] for p in projects}
    if projects:
        rows = await db.scalars(
            select(ImplementationUpdate)
            .where(ImplementationUpdate.proposal_id.in_(list(updates)))
            .order_by(ImplementationUpdate.created_at.desc(), ImplementationUpdate.id.desc())
        )
        for update in rows.all():
            updates[update.proposal_id].append(update)
    return render_page(
        request,
        "implementation.html",
        {
            "round_": round_,
            "projects": projects,
            "updates": updates,
            "declined": [p for p in selected if rules.declined(p)],
        },
    )


async def _photo_ref(request: Request, upload: object, url: str) -> str | None:
    """The stored upload's public address, or the given https URL, or None."""
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        try:
            name = save_photo(request.app.state.media_dir, data)
        except NotAPhoto:
            raise rules.refusal("photo_not_accepted") from None
        return f"{request.app.state.public_url}/media/{name}"
    if url:
        rules.check_photo_url(url)
        return url
    return None


@router.post("/proposals/{proposal_id}/updates")
async def add_update(request: Request, proposal: ProposalDep, db: DbSession, now: Now) -> Response:
    """Report progress on a project; its followers are told."""
    form = await request.form()
    back = f"/admin/rounds/{proposal.round_id}/implementation#p{proposal.id}"
    try:
        photo_ref = await _photo_ref(request, form.get("photo"), text(form, "photo_url", 300))
    except RuleViolation as refused:
        flash_refusal(request, refused)
        return see_other(back)
    return await act(
        request,
        db,
        followup.add_implementation_update(
            db,
            request.state.staff,
            proposal,
            text(form, "status"),
            whole_number(text(form, "progress")),
            text(form, "body", 5000),
            photo_ref,
            now,
            translations(form, "body", 5000),
        ),
        _("The update is saved; followers will be told."),
        back,
    )
