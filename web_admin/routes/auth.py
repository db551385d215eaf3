"""Logging in (argon2id, growing waits per account and per address, no lockout) and out."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.services.staff.audit import audit
from budgeting.services.staff.sessions import end_session, start_session
from web_admin.accounts import LoginResult, authenticate
from web_admin.client_address import client_address
from web_admin.deps import STAFF_ONLY, DbSession, Now, verify_login_csrf
from web_admin.login_delays import LoginKeys, device_proof
from web_admin.responses import logged_out, see_other
from web_admin.security import SESSION_COOKIE, device_label, safe_next, set_session_cookie
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["auth"])

DEVICE_COOKIE = "budgetbot_device"
"""Set when a browser logs in: proof that it did so before, which spares it the account's
wait after strangers' wrong passwords (``web_admin.login_delays``)."""
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 60 * 60


def _remember_device(request: Request, response: Response, keys: LoginKeys) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device_proof(request.app.state.secret_key, keys.account),
        max_age=DEVICE_COOKIE_MAX_AGE,
        path="/admin/login",
        httponly=True,
        samesite="strict",
        secure=request.app.state.https_only,
    )


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
    """Check the password; start a fresh server-side session on success.

    Every failure is answered alike whether the account exists or not: 401 for a wrong
    e-mail address or password, 429 with the seconds to wait while a wait runs.
    """
    context = {"next": safe_next(next), "email": email}
    keys = LoginKeys.of(
        request.app.state.secret_key,
        email,
        client_address(request),
        request.cookies.get(DEVICE_COOKIE),
    )
    async with request.app.state.login_gate:  # few at once hold database connections
        now = request.app.state.clock()  # not when the request came, if it waited its turn
        attempt = await authenticate(db, email, password, keys, now)
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
        _remember_device(request, response, keys)
        return response
    if attempt.result is LoginResult.WAIT:
        await db.rollback()
        seconds = max(1, math.ceil(attempt.wait.total_seconds()))
        page = render_page(request, "login_form.html", {**context, "wait": seconds}, 429)
        page.headers["Retry-After"] = str(seconds)
        return page
    if attempt.user is not None:
        await audit(db, None, "login.failed", f"staff:{attempt.user.id}")
    await db.commit()
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
