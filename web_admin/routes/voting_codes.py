"""Voting codes of a round: issue batches, see the counts, print the letters, revoke.

Moderators see the counts; issuing, downloading and revoking are for admins. Revoking
asks first on a page of its own (a GET page with a POST form, no script needed).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Round, VotingCodeBatch
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import load_round
from budgeting.services.staff import voting_codes as codes
from web_admin.deps import STAFF_ONLY, DbSession, Now, RoundDep, RowId, require_admin
from web_admin.forms import whole_number
from web_admin.letters import LetterFontMissing, codes_csv, letter_font, letters_pdf
from web_admin.responses import act, flash_refusal, see_other
from web_admin.templating import flash, render_page

router = APIRouter(prefix="/admin", tags=["voting codes"], dependencies=STAFF_ONLY)
ADMIN = [Depends(require_admin)]
NO_STORE = {"Cache-Control": "no-store"}
FONT_MISSING = _(
    "The letters cannot be made: no font with Arabic letters was found on the server. "
    "Install DejaVu Sans (apt-get install fonts-dejavu-core) or set BUDGETBOT_LETTER_FONT."
)


def page_of(round_: Round) -> str:
    """The address of the round's voting-code page."""
    return f"/admin/rounds/{round_.id}/voting-codes"


def code_key(request: Request) -> bytes:
    """The key the codes are derived with; refused without a configured secret key."""
    key: bytes | None = request.app.state.code_key
    if key is None:
        raise rules.refusal("code_secret_key")
    return key


async def batch_of(db: AsyncSession, batch_id: int) -> tuple[VotingCodeBatch, Round]:
    """The batch and its round; 404 if there is none."""
    batch = await db.get(VotingCodeBatch, batch_id)
    round_ = await load_round(db, batch.round_id) if batch is not None else None
    if batch is None or round_ is None:
        raise HTTPException(status_code=404, detail="no such batch")
    return batch, round_


def parts_of(batch: VotingCodeBatch) -> list[tuple[int, int, int]]:
    """``(part, first letter, last letter)`` of the batch's PDF files."""
    size = codes.LETTERS_PER_FILE
    return [
        (n + 1, first, min(first + size - 1, batch.size))
        for n, first in enumerate(range(1, batch.size + 1, size))
    ]


@router.get("/rounds/{round_id}/voting-codes")
async def voting_codes_page(request: Request, round_: RoundDep, db: DbSession) -> Response:
    """Counts per area and per batch; for admins the forms to issue, print and revoke."""
    per_batch = await codes.counts_per_batch(db, round_)
    per_area = await codes.counts_per_area(db, round_)
    areas = {a.id: a for a in round_.areas}
    return render_page(
        request,
        "voting_codes.html",
        {
            "round_": round_,
            "areas": areas,
            "area_rows": [(None, per_area.get(None, codes.CodeCounts()))]
            + [(a, per_area.get(a.id, codes.CodeCounts())) for a in round_.areas],
            "batches": [
                (b, per_batch.get(b.id, codes.CodeCounts()), parts_of(b))
                for b in await codes.batches_of(db, round_)
            ],
            "command_line": per_batch.get(None),
            "form_token": secrets.token_urlsafe(24),
            "limit": codes.BATCH_LIMIT,
            "key_missing": request.app.state.code_key is None,
        },
    )


@router.post("/rounds/{round_id}/voting-codes", dependencies=ADMIN)
async def issue(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    count: Annotated[str, Form(max_length=40)] = "",
    area: Annotated[str, Form(max_length=40)] = "",
    form_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Issue a batch of codes; the same form submitted again issues nothing more."""
    back = page_of(round_)
    area_id = None
    if area:
        area_id = whole_number(area)
        if area_id is None:
            area_id = -1  # not an area of the round: refused below
    try:
        batch, issued = await codes.issue_batch(
            db,
            request.state.staff,
            round_,
            area_id,
            whole_number(count),
            form_token,
            code_key(request),
        )
    except RuleViolation as refused:
        await db.rollback()
        flash_refusal(request, refused)
        return see_other(back)
    batch_id = batch.id
    await db.commit()
    if issued:
        flash(request, _("The voting codes are issued. Download the letters below."), "ok")
    else:
        flash_refusal(request, rules.refusal("code_form_used"))
    return see_other(f"{back}#batch-{batch_id}")


@router.get("/voting-code-batches/{batch_id}/codes.csv", dependencies=ADMIN)
async def batch_csv(request: Request, batch_id: RowId, db: DbSession) -> Response:
    """The batch's codes as CSV (letter number, code, link), for a printing house."""
    batch, round_ = await batch_of(db, batch_id)
    try:
        found = await codes.batch_codes(db, batch, code_key(request))
    except RuleViolation as refused:
        flash_refusal(request, refused)
        return see_other(page_of(round_))
    return Response(
        codes_csv(found, request.app.state.bot_username),
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="voting-codes-{batch.id}.csv"',
        },
    )


@router.get("/voting-code-batches/{batch_id}/letters.pdf", dependencies=ADMIN)
async def batch_letters(
    request: Request,
    batch_id: RowId,
    db: DbSession,
    part: Annotated[int, Query(ge=1, le=codes.BATCH_LIMIT)] = 1,
) -> Response:
    """One part of the batch's letters as a PDF, one letter a page."""
    batch, round_ = await batch_of(db, batch_id)
    chosen = [p for p in parts_of(batch) if p[0] == part]
    if not chosen:
        raise HTTPException(status_code=404, detail="no such part")
    _part, first, last = chosen[0]
    try:
        font = letter_font(request.app.state.letter_font)
        found = await codes.batch_codes(db, batch, code_key(request), first, last)
    except LetterFontMissing:
        flash(request, FONT_MISSING, "error")
        return see_other(page_of(round_))
    except RuleViolation as refused:
        flash_refusal(request, refused)
        return see_other(page_of(round_))
    title = round_.text("title", "sv") or round_.slug
    pdf = await run_in_threadpool(
        letters_pdf, found, title, batch.id, request.app.state.bot_username, font
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            **NO_STORE,
            "Content-Disposition": (
                f'attachment; filename="voting-letters-{batch.id}-{first}-{last}.pdf"'
            ),
        },
    )


@router.get("/rounds/{round_id}/voting-codes/revoke", dependencies=ADMIN)
async def confirm_revoke_code(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    code: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """What revoking this code will do, and the button that does it."""
    found = await codes.find_code(db, round_, code)
    return render_page(
        request,
        "voting_code_revoke.html",
        {
            "round_": round_,
            "code": code.strip().upper(),
            "found": found,
            "unknown": rules.REFUSALS["code_unknown"],
            "ballot_kept": found is not None and await codes.ballot_cast_with(db, found),
        },
    )


@router.post("/rounds/{round_id}/voting-codes/revoke", dependencies=ADMIN)
async def revoke_code(
    request: Request,
    round_: RoundDep,
    db: DbSession,
    now: Now,
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Revoke one code (a ballot already cast with it stays)."""
    return await act(
        request,
        db,
        codes.revoke_code(db, request.state.staff, round_, code, now),
        _("The voting code is revoked."),
        page_of(round_),
    )


@router.get("/voting-code-batches/{batch_id}/revoke", dependencies=ADMIN)
async def confirm_revoke_batch(request: Request, batch_id: RowId, db: DbSession) -> Response:
    """What revoking the batch's unused codes will do, and the button that does it."""
    batch, round_ = await batch_of(db, batch_id)
    return render_page(
        request,
        "voting_code_batch_revoke.html",
        {
            "round_": round_,
            "batch": batch,
            "counts": await codes.batch_counts(db, batch),
            "area": next((a for a in round_.areas if a.id == batch.area_id), None),
        },
    )


@router.post("/voting-code-batches/{batch_id}/revoke", dependencies=ADMIN)
async def revoke_batch(request: Request, batch_id: RowId, db: DbSession, now: Now) -> Response:
    """Revoke the batch's unused codes; used ones and their ballots stay."""
    batch, round_ = await batch_of(db, batch_id)
    back = f"{page_of(round_)}#batch-{batch_id}"
    try:
        await codes.revoke_unused(db, request.state.staff, batch, now)
    except RuleViolation as refused:
        await db.rollback()
        flash_refusal(request, refused)
    else:
        await db.commit()
        flash(request, _("The batch's unused voting codes are revoked."), "ok")
    return see_other(back)
