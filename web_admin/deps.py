"""FastAPI dependencies, defined once: database session, clock, staff login, role, CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import Translator
from budgeting.models import Proposal, Round, StaffRole, StaffSession, StaffUser
from budgeting.services.rounds import load_round
from budgeting.services.staff.sessions import find_session, touch_if_due
from web_admin.forms import MAX_ROW_ID
from web_admin.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, csrf_matches
from web_admin.templating import staff_translator


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


async def staff_session(request: Request, db: DbSession) -> StaffSession:
    """The request's live server-side session (by the id in its cookie); otherwise
    ``LoginRequired`` (answered by a redirect). Computed once per request."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id or len(session_id) > 128:
        raise LoginRequired
    now = get_now(request)
    found = await find_session(db, session_id, now)
    if found is None:
        raise LoginRequired
    row, user = found
    if await touch_if_due(db, row, now):
        await db.commit()  # before the handler, which may roll its own work back
    request.state.staff_session = row
    request.state.staff = user
    return row


StaffSessionDep = Annotated[StaffSession, Depends(staff_session)]


async def current_staff(request: Request, _session: StaffSessionDep) -> StaffUser:
    """The logged-in staff member (active, with a live session)."""
    staff: StaffUser = request.state.staff
    return staff


Staff = Annotated[StaffUser, Depends(current_staff)]


async def require_admin(staff: Staff) -> StaffUser:
    """The logged-in staff member if they are an admin; 403 for moderators."""
    if staff.role != StaffRole.ADMIN:
        raise HTTPException(status_code=403, detail="admins only")
    return staff


Admin = Annotated[StaffUser, Depends(require_admin)]


async def _submitted_csrf(request: Request) -> str | None:
    """The CSRF token sent with the request (header, or form field), after the origin check."""
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
    return submitted


async def verify_csrf(request: Request, session: StaffSessionDep) -> None:
    """Refuse (403) any unsafe request without its staff session's CSRF token or from
    elsewhere (the token lives in the session row, on the server)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not csrf_matches(session.csrf_token, await _submitted_csrf(request)):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


async def verify_login_csrf(request: Request) -> None:
    """The same for the login form, whose token is in the preferences cookie (there is no
    session yet)."""
    if not csrf_matches(request.session.get("csrf"), await _submitted_csrf(request)):
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
