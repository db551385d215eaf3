"""Answering a form: do the action, commit, say how it went, go back (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.services.errors import RuleViolation
from web_admin.security import clear_session_cookie
from web_admin.templating import flash


def see_other(url: str) -> RedirectResponse:
    """A 303 redirect, so the browser fetches the next page with GET."""
    return RedirectResponse(url, status_code=303)


def logged_out(request: Request) -> RedirectResponse:
    """Off to the login page, the session cookie dropped (language and messages kept)."""
    kept = {k: request.session[k] for k in ("lang", "flash") if k in request.session}
    request.session.clear()
    request.session.update(kept)
    response = see_other("/admin/login")
    clear_session_cookie(response, request.app.state.https_only)
    return response


def flash_refusal(request: Request, refused: RuleViolation) -> None:
    """Tell the staff member why; a rule worded only for participants is not expected here."""
    if refused.message is None:
        raise refused
    flash(request, refused.message, "error", **refused.params)


async def act(
    request: Request,
    db: AsyncSession,
    action: Awaitable[Any],
    done: str,
    to: str,
    **params: Any,
) -> RedirectResponse:
    """Await ``action``; commit and flash ``done``, or roll back and flash why it was refused."""
    try:
        await action
    except RuleViolation as refused:
        await db.rollback()
        flash_refusal(request, refused)
    else:
        await db.commit()
        flash(request, done, "ok", **params)
    return see_other(to)
