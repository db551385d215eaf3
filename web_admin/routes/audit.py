"""The audit log: every staff action, newest first (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from web_admin.deps import ADMIN_ONLY, DbSession
from web_admin.queries import audit_entries
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["audit"], dependencies=ADMIN_ONLY)


@router.get("/audit")
async def audit_log(request: Request, db: DbSession, page: int = 0) -> Response:
    """One page of the audit log."""
    page = max(page, 0)
    entries, more = await audit_entries(db, page)
    return render_page(request, "audit_log.html", {"entries": entries, "page": page, "more": more})
