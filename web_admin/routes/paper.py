"""Paper ballots: staff key in a paper, review it as entered, then register it (or change it).

Entry form → review page (nothing stored; a receipt code is drawn and signed) → register
(stored under that receipt code, so a second submit of the same review stores nothing).
Admins always, moderators only where the round allows it (403 otherwise).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Area, Proposal, Round
from budgeting.phases import Phase, current_phase
from budgeting.services.ballots import unused_receipt_code
from budgeting.services.errors import RuleViolation
from budgeting.services.proposals import visible_proposals
from budgeting.services.staff import paper
from web_admin import paper_form
from web_admin.deps import STAFF_ONLY, DbSession, Now, RoundDep, Staff
from web_admin.forms import text, whole_number
from web_admin.responses import act, flash_refusal, see_other
from web_admin.security import csrf_matches, form_signature
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["paper"], dependencies=STAFF_ONLY)


async def paper_round(round_: RoundDep, staff: Staff) -> Round:
    """The round, if this staff member may key in its paper ballots; 403 otherwise."""
    if not paper.may_enter_paper(round_, staff):
        raise HTTPException(status_code=403, detail="paper ballots not allowed")
    return round_


PaperRound = Annotated[Round, Depends(paper_round)]


def _area(round_: Round, area_id: int | None) -> Area | None:
    return next((a for a in round_.areas if a.id == area_id), None)


def _signature(request: Request, round_: Round, receipt: str) -> str:
    return form_signature(request.state.staff_session.csrf_token, "paper", round_.id, receipt)


async def _entry_page(
    request: Request,
    db: DbSession,
    round_: Round,
    now: datetime,
    area: Area | None,
    values: paper_form.EntryValues | None = None,
    error: RuleViolation | None = None,
) -> Response:
    on_ballot = await visible_proposals(db, round_, area.id, True) if area else []
    message = error.message.format(**error.params) if error and error.message else None
    return render_page(
        request,
        "paper_entry.html",
        {
            "round_": round_,
            "area": area,
            "on_ballot": on_ballot,
            "values": values or paper_form.EntryValues(),
            "error": message,
            "voting_open": current_phase(round_, now) is Phase.VOTING,
        },
        status_code=422 if error else 200,
    )


@router.get("/rounds/{round_id}/paper")
async def paper_entry(
    request: Request,
    round_: PaperRound,
    db: DbSession,
    now: Now,
    area: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    """Choose the paper's area, then key in its ballot."""
    chosen = _area(round_, whole_number(area)) if area else None
    if chosen is None and len(round_.areas) == 1:
        chosen = round_.areas[0]
    return await _entry_page(request, db, round_, now, chosen)


async def _checked(
    db: DbSession, staff: Staff, round_: Round, ballot: paper.PaperBallot, now: datetime
) -> list[Proposal]:
    proposals, _code = await paper.check_paper_ballot(db, staff, round_, ballot, now)
    return proposals


@router.post("/rounds/{round_id}/paper/review")
async def paper_review(
    request: Request, round_: PaperRound, db: DbSession, staff: Staff, now: Now
) -> Response:
    """The ballot as entered, to compare with the paper: Register or Change."""
    form = await request.form()
    area = _area(round_, paper_form.area_of(form))
    if area is None:
        flash_refusal(request, paper.refusal("unknown_area"))
        return see_other(f"/admin/rounds/{round_.id}/paper")
    on_ballot = await visible_proposals(db, round_, area.id, True)
    try:
        ballot = paper_form.from_entry(form, round_, on_ballot)
        proposals = await _checked(db, staff, round_, ballot, now)
    except RuleViolation as refused:
        values = paper_form.typed_values(form, round_, on_ballot)
        return await _entry_page(request, db, round_, now, area, values, paper.worded(refused))
    receipt = await unused_receipt_code(db)
    return render_page(
        request,
        "paper_review.html",
        {
            "round_": round_,
            "area": area,
            "ballot": ballot,
            "rows": list(zip(proposals, ballot.points or [None] * len(proposals), strict=True)),
            "receipt": receipt,
            "signature": _signature(request, round_, receipt),
        },
    )


@router.post("/rounds/{round_id}/paper/edit")
async def paper_change(request: Request, round_: PaperRound, db: DbSession, now: Now) -> Response:
    """Back from the review to the entry form, filled in as it was."""
    form = await request.form()
    ballot = paper_form.from_review(form, round_)
    area = _area(round_, ballot.area_id)
    values = paper_form.entry_values(ballot)
    return await _entry_page(request, db, round_, now, area, values)


def _signed_receipt(request: Request, round_: Round, form: FormData) -> str:
    """The receipt code the review drew, if the form carries it unchanged; else ''."""
    receipt = text(form, "receipt", 20)
    signed = csrf_matches(_signature(request, round_, receipt), text(form, "signature", 128))
    return receipt if signed else ""


@router.post("/rounds/{round_id}/paper/register")
async def paper_register(
    request: Request, round_: PaperRound, db: DbSession, staff: Staff, now: Now
) -> Response:
    """Store the reviewed paper ballot; its receipt code is shown to write on the paper."""
    form = await request.form()
    ballot = paper_form.from_review(form, round_)
    receipt = _signed_receipt(request, round_, form)
    area = _area(round_, ballot.area_id)
    return await act(
        request,
        db,
        paper.register_paper_ballot(db, staff, round_, ballot, receipt, now),
        _("The paper ballot is registered. Write its receipt code on the paper: {receipt}"),
        f"/admin/rounds/{round_.id}/paper" + (f"?area={area.id}" if area else ""),
        receipt=receipt,
    )
