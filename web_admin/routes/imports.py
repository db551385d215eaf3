"""Importing a pabulib file as a closed round (admins): upload, preview, import.

The upload is checked as ``budgetbot import --pabulib`` checks a file (the same one line
when it cannot be counted), kept server-side for the staff session that sent it, shown,
and imported on confirmation; a second confirmation of the same upload goes to the
round the first created.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Path, Request, UploadFile
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.services.pabulib_import import (
    FILE_PROBLEMS,
    cannot_count,
    import_pabulib_file,
    imported_round,
    read_pabulib_file,
)
from web_admin.deps import ADMIN_ONLY, Admin, DbSession, StaffTranslator
from web_admin.responses import see_other
from web_admin.templating import flash, render_page
from web_admin.uploads import MAX_PABULIB_BYTES, TOKEN_PATTERN, PendingUploads, upload_slug

router = APIRouter(prefix="/admin/imports", tags=["imports"], dependencies=ADMIN_ONLY)

UPLOAD_PAGE = "/admin/imports/pabulib"
Token = Annotated[str, Path(pattern=TOKEN_PATTERN)]


def _uploads(request: Request) -> PendingUploads:
    return request.app.state.uploads


def _owner(request: Request) -> str:
    return request.state.staff_session.id_hash


def _upload_page(request: Request, problem: str | None = None, status: int = 200) -> Response:
    context = {"problem": problem, "max_bytes": MAX_PABULIB_BYTES}
    return render_page(request, "pabulib_upload.html", context, status)


@router.get("/pabulib")
async def upload_form(request: Request) -> Response:
    """The form to upload a pabulib file."""
    return _upload_page(request)


@router.post("/pabulib")
async def upload_file(
    request: Request, t: StaffTranslator, file: Annotated[UploadFile, File()]
) -> Response:
    """Check the uploaded file and keep it for the preview; a broken one is refused with
    the line the CLI prints, and nothing is kept."""
    name = PurePath((file.filename or "").replace("\\", "/")).name[:200] or "upload.pb"
    content = await file.read(MAX_PABULIB_BYTES + 1)
    if len(content) > MAX_PABULIB_BYTES:
        problem = t.gettext(_("{file} is larger than {size} MB.")).format(
            file=name, size=t.number(MAX_PABULIB_BYTES // (1024 * 1024))
        )
        return _upload_page(request, problem, 413)
    try:
        read_pabulib_file(content)
    except FILE_PROBLEMS as problem:
        return _upload_page(request, cannot_count(t.gettext, name, problem), 400)
    token = _uploads(request).keep(content, name, _owner(request))
    return see_other(f"/admin/imports/pabulib/{token}")


def _lapsed(request: Request) -> Response:
    flash(request, _("That upload is no longer kept. Upload the file again."), "error")
    return see_other(UPLOAD_PAGE)


@router.get("/pabulib/{token}")
async def preview(request: Request, token: Token) -> Response:
    """The file's META, counts and first projects, and the button that imports it."""
    upload = _uploads(request).find(token, _owner(request))
    if upload is None:
        return _lapsed(request)
    file = read_pabulib_file(upload.content)  # checked at upload: the same bytes
    return render_page(
        request,
        "pabulib_preview.html",
        {"token": token, "filename": upload.filename, "preview": file.preview()},
    )


@router.post("/pabulib/{token}/import")
async def import_upload(request: Request, token: Token, db: DbSession, staff: Admin) -> Response:
    """Import the kept upload as a closed round and go to it (once, however often sent)."""
    slug = upload_slug(token)
    done = await imported_round(db, slug)
    if done is None:
        upload = _uploads(request).find(token, _owner(request))
        if upload is None:
            return _lapsed(request)
        try:
            round_ = await import_pabulib_file(db, read_pabulib_file(upload.content), staff, slug)
            round_id = round_.id
            await db.commit()
        except IntegrityError:  # the same upload, sent twice at once: the other one won
            await db.rollback()
            done = await imported_round(db, slug)
            if done is None:
                raise
        else:
            _uploads(request).discard(token)
            flash(request, _("The file is imported as a closed round."), "ok")
            return see_other(f"/admin/rounds/{round_id}")
    flash(request, _("This file is already imported."), "ok")
    return see_other(f"/admin/rounds/{done.id}")
