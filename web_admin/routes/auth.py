"""Logging in (argon2id, lockout, per-address throttle) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.services.staff.audit import audit
from budgeting.services.staff.sessions import end_session, start_session
from web_admin.accounts import LoginResult, authenticate
from web_admin.deps import STAFF_ONLY, DbSession, Now, verify_login_csrf
from web_admin.responses import logged_out, see_other
from web_admin.security import SESSION_COOKIE, device_label, safe_next, set_session_cookie
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["auth"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
async def login_form(request: Request, next: str = "") -> Response:
    """The login page."""
    return render_page(request, "login_form.html", {"next": safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(verify_login_csrf)])
async def login(
    request: Request,
    db: DbSession,
    now: Now,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password; start a fresh server-side session on success."""
    throttle = request.app.state.login_throttle
    context = {"next": safe_next(next), "email": email}
    if throttle.blocked(_client(request)):
        error = _("Too many failed attempts. Wait a while and try again.")
        return render_page(request, "login_form.html", {**context, "error": error}, 429)
    attempt = await authenticate(db, email, password, now)
    if attempt.result is LoginResult.OK and attempt.user is not None:
        user = attempt.user
        await audit(db, user, "login", f"staff:{user.id}")
        if earlier := request.cookies.get(SESSION_COOKIE):
            await end_session(db, earlier)  # this browser's previous session, if any
        user_agent = device_label(request.headers.get("user-agent"))
        started = await start_session(db, user, now, user_agent)
        await db.commit()
        lang = request.session.get("lang")
        request.session.clear()  # the login form's token is spent; the session has its own
        if lang:
            request.session["lang"] = lang
        response = see_other(safe_next(next))
        set_session_cookie(response, started.session_id, request.app.state.https_only)
        return response
    throttle.failed(_client(request))
    if attempt.user is not None:
        action = "login.locked" if attempt.result is LoginResult.LOCKED else "login.failed"
        await audit(db, None, action, f"staff:{attempt.user.id}")
    await db.commit()
    if attempt.result is LoginResult.LOCKED:
        error = _("Too many failed attempts. Wait a while and try again.")
        return render_page(request, "login_form.html", {**context, "error": error}, 429)
    error = _("Wrong e-mail address or password.")
    return render_page(request, "login_form.html", {**context, "error": error}, 401)


@router.post("/logout", dependencies=STAFF_ONLY)
async def logout(request: Request, db: DbSession) -> Response:
    """End the session: its row is deleted, so a copy of the cookie is worthless too."""
    staff = request.state.staff
    await end_session(db, request.cookies[SESSION_COOKIE])
    await audit(db, staff, "logout", f"staff:{staff.id}")
    await db.commit()
    return logged_out(request)
