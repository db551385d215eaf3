"""FastAPI dependencies, defined once: database session, clock, staff login, role, CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import Translator
from budgeting.models import Proposal, Round, StaffRole, StaffUser
from budgeting.services.rounds import load_round
from web_admin.forms import MAX_ROW_ID
from web_admin.security import CSRF_FIELD, CSRF_HEADER, csrf_matches, session_stamp
from web_admin.templating import staff_translator

SESSION_LIFETIME = 12 * 60 * 60
"""Seconds after logging in when a session ends, however active it was."""


class LoginRequired(Exception):
    """Raised when a staff page is asked for without a valid session."""


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One database session per request; handlers commit what they change."""
    async with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]


def get_now(request: Request) -> datetime:
    """The current moment from the app's clock (tests can set it), timezone-aware."""
    return request.app.state.clock()


Now = Annotated[datetime, Depends(get_now)]
StaffTranslator = Annotated[Translator, Depends(staff_translator)]


async def current_staff(request: Request, db: DbSession) -> StaffUser:
    """The logged-in staff member; otherwise ``LoginRequired`` (answered by a redirect)."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        raise LoginRequired
    user = await db.get(StaffUser, uid)
    started = request.session.get("auth_at")
    expired = (
        not isinstance(started, int | float)
        or request.app.state.clock().timestamp() - started > SESSION_LIFETIME
    )
    stamp = session_stamp(request.app.state.secret_key, user) if user else None
    if user is None or expired or request.session.get("stamp") != stamp:
        request.session.clear()
        raise LoginRequired
    request.state.staff = user
    return user


Staff = Annotated[StaffUser, Depends(current_staff)]


async def require_admin(staff: Staff) -> StaffUser:
    """The logged-in staff member if they are an admin; 403 for moderators."""
    if staff.role != StaffRole.ADMIN:
        raise HTTPException(status_code=403, detail="admins only")
    return staff


Admin = Annotated[StaffUser, Depends(require_admin)]


async def verify_csrf(request: Request) -> None:
    """Refuse (403) any unsafe request without the session's CSRF token or from elsewhere."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")}
    if origin and urlparse(origin).netloc not in hosts:
        raise HTTPException(status_code=403, detail="cross-origin request refused")
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    if not csrf_matches(request.session, submitted):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


STAFF_ONLY = [Depends(current_staff), Depends(verify_csrf)]
"""Router dependencies: every route needs a logged-in staff member and, to change, a token."""
ADMIN_ONLY = [Depends(require_admin), Depends(verify_csrf)]
"""Router dependencies for what only admins may do (set up rounds, users, audit log)."""


RowId = Annotated[int, Path(ge=0, le=MAX_ROW_ID)]
"""A row id in the path; out of range is a malformed address (400), never a crash."""


async def get_round(round_id: RowId, db: DbSession) -> Round:
    """The round named in the path, with areas and criteria; 404 if there is none."""
    round_ = await load_round(db, round_id)
    if round_ is None:
        raise HTTPException(status_code=404, detail="no such round")
    return round_


RoundDep = Annotated[Round, Depends(get_round)]


async def get_proposal(proposal_id: RowId, db: DbSession) -> Proposal:
    """The proposal named in the path; 404 if there is none."""
    proposal = await db.get(Proposal, proposal_id)
    if proposal is None:
        raise HTTPException(status_code=404, detail="no such proposal")
    return proposal


ProposalDep = Annotated[Proposal, Depends(get_proposal)]
