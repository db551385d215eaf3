"""Staff accounts (admins only): list, add, lift a lockout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import StaffUser
from web_admin.accounts import PASSWORD_MIN_LENGTH
from web_admin.actions import setup
from web_admin.deps import ADMIN_ONLY, DbSession, Now
from web_admin.queries import staff_users
from web_admin.responses import act
from web_admin.templating import render

router = APIRouter(prefix="/admin/users", tags=["users"], dependencies=ADMIN_ONLY)


@router.get("")
async def user_list(request: Request, db: DbSession, now: Now) -> Response:
    """Every staff account with its role and lock state."""
    return render(
        request,
        "user_list.html",
        {"users": await staff_users(db), "now": now, "min_length": PASSWORD_MIN_LENGTH},
    )


@router.post("")
async def add_user(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=16)] = "moderator",
) -> Response:
    """Add a colleague's account."""
    return await act(
        request,
        db,
        setup.add_staff_user(db, request.state.staff, email, password, role),
        _("The account is added."),
        "/admin/users",
    )


@router.post("/{user_id}/unlock")
async def unlock_user(request: Request, user_id: int, db: DbSession) -> Response:
    """Lift a lockout."""
    user = await db.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="no such account")
    return await act(
        request,
        db,
        setup.unlock_staff_user(db, request.state.staff, user),
        _("The account is unlocked."),
        "/admin/users",
    )
