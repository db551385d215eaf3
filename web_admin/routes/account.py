"""Your account: your sessions, logging out everywhere, changing your password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import StaffSession, StaffUser
from budgeting.services import rules
from budgeting.services.staff import accounts
from budgeting.services.staff.sessions import sessions_of
from web_admin.accounts import (
    PASSWORD_MIN_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)
from web_admin.deps import STAFF_ONLY, DbSession, Now, Staff
from web_admin.responses import act, logged_out
from web_admin.templating import flash, render_page

router = APIRouter(prefix="/admin/account", tags=["account"], dependencies=STAFF_ONLY)

PasswordField = Annotated[str, Form(max_length=1024)]


@router.get("")
async def account_page(request: Request, db: DbSession, staff: Staff, now: Now) -> Response:
    """Who you are logged in as and where."""
    context = {
        "sessions": await sessions_of(db, staff, now),
        "current": request.state.staff_session,
        "min_length": PASSWORD_MIN_LENGTH,
    }
    return render_page(request, "account.html", context)


@router.post("/logout-everywhere")
async def logout_everywhere(request: Request, db: DbSession, staff: Staff) -> Response:
    """End every session of yours, on every device, this one too."""
    await accounts.log_out_everywhere(db, staff)
    await db.commit()
    flash(request, _("You are logged out on every device."))
    return logged_out(request)


async def change_own_password(
    session: AsyncSession,
    staff: StaffUser,
    current: StaffSession,
    old: str,
    new: str,
    repeated: str,
) -> None:
    """Check the current password and the new one; store it; the other sessions end."""
    if not await verify_password(staff.password_hash, old):
        raise rules.refusal("current_password_wrong")
    if new != repeated:
        raise rules.refusal("passwords_differ")
    problem = password_problem(new, staff.email)
    if problem is not None:
        raise problem
    password_hash = await hash_password(new)
    await accounts.set_password(session, staff, password_hash, keep=current)


@router.post("/password")
async def change_password(
    request: Request,
    db: DbSession,
    staff: Staff,
    current_password: PasswordField = "",
    new_password: PasswordField = "",
    new_password_again: PasswordField = "",
) -> Response:
    """Change your own password (the current one is asked for)."""
    return await act(
        request,
        db,
        change_own_password(
            db,
            staff,
            request.state.staff_session,
            current_password,
            new_password,
            new_password_again,
        ),
        _("Your password is changed. Your other sessions have ended."),
        "/admin/account",
    )
