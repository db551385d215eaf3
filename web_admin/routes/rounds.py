"""Round setup (SKR step 1): budget, dates, ballot rules, texts, areas and criteria."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Area, Criterion, Round
from budgeting.phases import phase_by_dates
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.staff import setup
from web_admin import labels
from web_admin.confirmation import Step, confirm_first
from web_admin.deps import (
    ADMIN_ONLY,
    DbSession,
    Now,
    RoundDep,
    RowId,
    StaffTranslator,
    get_now,
)
from web_admin.forms import (
    DATE_FIELDS,
    ROUND_TEXT_FIELDS,
    round_form_values,
    round_settings,
    submitted_values,
    texts,
    whole_number,
)
from web_admin.responses import act, see_other
from web_admin.templating import flash, render_page

router = APIRouter(prefix="/admin/rounds", tags=["rounds"], dependencies=ADMIN_ONLY)


async def _form_page(
    request: Request,
    db: DbSession,
    round_: Round | None,
    values: dict,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The settings form; what voting or publication has locked is read-only, with why."""
    now = get_now(request)
    cast = await setup.ballots_cast(db, round_) if round_ is not None else 0
    lock = rules.settings_lock(round_, now, cast) if round_ is not None else None
    frozen = rules.locked_settings(round_, now, cast) if round_ is not None else frozenset()
    if frozen:  # a refused change shows what stays, not what was sent
        stored = round_form_values(round_)
        values = {**values, **{name: stored[name] for name in frozen if name in stored}}
    return render_page(
        request,
        "round_form.html",
        {
            "round_": round_,
            "values": values,
            "errors": errors or {},
            "date_fields": DATE_FIELDS,
            "text_fields": ROUND_TEXT_FIELDS,
            "frozen": frozen,
            "frozen_reason": rules.REFUSALS[lock] if lock else None,
        },
        status_code,
    )


async def _save(request: Request, db: DbSession, round_: Round | None, now: Now) -> Response:
    form = await request.form()
    settings = round_settings(form)
    if settings.errors:
        return await _form_page(request, db, round_, submitted_values(form), settings.errors, 400)
    try:
        saved = await setup.save_round(db, request.state.staff, round_, settings.values, now)
    except RuleViolation as refused:  # refused before any change; the session is not committed
        field = "slug" if refused.code == "slug_taken" else "_form"
        errors = {field: refused.message or refused.code}
        return await _form_page(request, db, round_, submitted_values(form), errors, 400)
    await db.commit()
    flash(request, _("The round is saved."))
    return see_other(
        f"/admin/rounds/{saved.id}/structure" if round_ is None else f"/admin/rounds/{saved.id}"
    )


@router.get("/new")
async def new_round(request: Request, db: DbSession) -> Response:
    """The form for a new round."""
    return await _form_page(request, db, None, round_form_values(None))


@router.post("/new")
async def create_round(request: Request, db: DbSession, now: Now) -> Response:
    """Create the round, then go on to its areas and criteria."""
    return await _save(request, db, None, now)


@router.get("/{round_id}/edit")
async def edit_round(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """The round's settings and texts; what voting has locked is read-only, with why."""
    return await _form_page(request, db, round_, round_form_values(round_))


@router.post("/{round_id}/edit")
async def update_round(request: Request, round_: RoundDep, db: DbSession, now: Now) -> Response:
    """Save the round's settings and texts."""
    return await _save(request, db, round_, now)


@router.post("/{round_id}/phase")
async def set_phase(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    now: Now,
    t: StaffTranslator,
    phase: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Pin the round to a phase now, or follow the dates again, once confirmed; the phase
    entered sends the messages its date would."""
    entered = phase if phase else phase_by_dates(round_, now).value
    moves = (
        _("The round is in the phase “{phase}” from now on, whatever its dates say.")
        if phase
        else _("The round follows its dates again: it is in the phase “{phase}” now.")
    )
    step = Step(
        action="round.phase_override",
        state=f"{round_.phase_override}",
        title=_("Change the phase?"),
        happens=[
            t.gettext(moves).format(phase=t.gettext(labels.PHASES.get(entered, entered))),
            t.gettext(_("What participants can do in the chat changes at once.")),
        ],
        confirm_label=_("Change the phase"),
        back=f"/admin/rounds/{round_.id}",
        round_id=round_.id,
    )
    page = await confirm_first(
        request,
        db,
        step,
        lambda: setup.set_phase_override(db, request.state.staff, round_, phase or None, now),
    )
    if page is not None:
        return page
    return await act(
        request,
        db,
        setup.set_phase_override(db, request.state.staff, round_, phase or None, now),
        _("The phase is changed."),
        f"/admin/rounds/{round_.id}",
    )


@router.get("/{round_id}/structure")
async def round_structure(request: Request, round_: RoundDep, db: DbSession, now: Now) -> Response:
    """Areas with their budget shares, and the criteria ideas are reviewed against."""
    lock = await setup.settings_lock(db, round_, now)
    return render_page(
        request,
        "round_structure.html",
        {
            "round_": round_,
            "allocated": sum(a.budget for a in round_.areas),
            "areas_lock": rules.REFUSALS[rules.areas_lock_code(lock)] if lock else None,
        },
    )


def _area(round_: Round, area_id: int) -> Area:
    area = next((a for a in round_.areas if a.id == area_id), None)
    if area is None:
        raise HTTPException(status_code=404, detail="no such area")
    return area


def _criterion(round_: Round, criterion_id: int) -> Criterion:
    criterion = next((c for c in round_.criteria if c.id == criterion_id), None)
    if criterion is None:
        raise HTTPException(status_code=404, detail="no such criterion")
    return criterion


async def _save_area(
    request: Request, db: DbSession, round_: Round, area: Area | None, now: Now
) -> Response:
    form = await request.form()
    budget = whole_number(str(form.get("budget") or ""))
    position = whole_number(str(form.get("position") or ""))
    return await act(
        request,
        db,
        setup.save_area(
            db,
            request.state.staff,
            round_,
            area,
            texts(form, "name", ("name",)),
            budget,
            position,
            now,
            form.get("requires_voting_code") == "on",
        ),
        _("The area is saved."),
        f"/admin/rounds/{round_.id}/structure",
    )


@router.post("/{round_id}/areas")
async def add_area(request: Request, round_: RoundDep, db: DbSession, now: Now) -> Response:
    """Add an area with its share of the budget."""
    return await _save_area(request, db, round_, None, now)


@router.post("/{round_id}/areas/{area_id}")
async def update_area(
    request: Request, round_: RoundDep, area_id: RowId, db: DbSession, now: Now
) -> Response:
    """Rename an area or change its budget."""
    return await _save_area(request, db, round_, _area(round_, area_id), now)


@router.post("/{round_id}/areas/{area_id}/delete")
async def delete_area(
    request: Request, round_: RoundDep, area_id: RowId, db: DbSession, now: Now
) -> Response:
    """Remove an unused area."""
    return await act(
        request,
        db,
        setup.delete_area(db, request.state.staff, round_, _area(round_, area_id), now),
        _("The area is removed."),
        f"/admin/rounds/{round_.id}/structure",
    )


async def _save_criterion(
    request: Request, db: DbSession, round_: Round, criterion: Criterion | None
) -> Response:
    form = await request.form()
    position = whole_number(str(form.get("position") or ""))
    return await act(
        request,
        db,
        setup.save_criterion(
            db, request.state.staff, round_, criterion, texts(form, "name", ("name",)), position
        ),
        _("The criterion is saved."),
        f"/admin/rounds/{round_.id}/structure",
    )


@router.post("/{round_id}/criteria")
async def add_criterion(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """Add a review criterion."""
    return await _save_criterion(request, db, round_, None)


@router.post("/{round_id}/criteria/{criterion_id}")
async def update_criterion(
    request: Request, round_: RoundDep, criterion_id: RowId, db: DbSession
) -> Response:
    """Reword a criterion."""
    return await _save_criterion(request, db, round_, _criterion(round_, criterion_id))


@router.post("/{round_id}/criteria/{criterion_id}/delete")
async def delete_criterion(
    request: Request, round_: RoundDep, criterion_id: RowId, db: DbSession
) -> Response:
    """Remove a criterion nothing was assessed against."""
    return await act(
        request,
        db,
        setup.delete_criterion(db, request.state.staff, _criterion(round_, criterion_id)),
        _("The criterion is removed."),
        f"/admin/rounds/{round_.id}/structure",
    )
