"""Logging in (argon2id, lockout, per-address throttle) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.services.staff.audit import audit
from web_admin.accounts import LoginResult, authenticate
from web_admin.deps import STAFF_ONLY, DbSession, Now, verify_csrf
from web_admin.responses import see_other
from web_admin.security import new_token, safe_next, session_stamp
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["auth"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
async def login_form(request: Request, next: str = "") -> Response:
    """The login page."""
    return render_page(request, "login_form.html", {"next": safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(verify_csrf)])
async def login(
    request: Request,
    db: DbSession,
    now: Now,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password; start a fresh session on success."""
    throttle = request.app.state.login_throttle
    context = {"next": safe_next(next), "email": email}
    if throttle.blocked(_client(request)):
        error = _("Too many failed attempts. Wait a while and try again.")
        return render_page(request, "login_form.html", {**context, "error": error}, 429)
    attempt = await authenticate(db, email, password, now)
    if attempt.result is LoginResult.OK and attempt.user is not None:
        user = attempt.user
        await audit(db, user, "login", f"staff:{user.id}")
        await db.commit()
        lang = request.session.get("lang")
        request.session.clear()
        request.session.update(
            {
                "uid": user.id,
                "stamp": session_stamp(request.app.state.secret_key, user),
                "auth_at": now.timestamp(),
            }
        )
        request.session["csrf"] = new_token()
        if lang:
            request.session["lang"] = lang
        return see_other(safe_next(next))
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
    """End the session."""
    staff = request.state.staff
    await audit(db, staff, "logout", f"staff:{staff.id}")
    await db.commit()
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return see_other("/admin/login")
