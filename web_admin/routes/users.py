"""Staff accounts (admins only): list and add."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import StaffUser
from budgeting.services import rules
from budgeting.services.staff.audit import audit
from web_admin.accounts import PASSWORD_MIN_LENGTH
from web_admin.accounts import add_user as add_account
from web_admin.deps import ADMIN_ONLY, DbSession, Now
from web_admin.queries import staff_users
from web_admin.responses import act
from web_admin.templating import render_page

router = APIRouter(prefix="/admin/users", tags=["users"], dependencies=ADMIN_ONLY)


async def add_staff_user(
    session: AsyncSession, staff: StaffUser, email: str, password: str, role: str
) -> StaffUser:
    """An admin adds a colleague's account (the password is hashed here, in the admin)."""
    rules.check_staff_role(role)
    user = await add_account(session, email, password, role)  # refuses weak passwords
    await audit(session, staff, "staff.add", f"staff:{user.id}", role=role)
    return user


@router.get("")
async def user_list(request: Request, db: DbSession, now: Now) -> Response:
    """Every staff account with its role and last login."""
    return render_page(
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
        add_staff_user(db, request.state.staff, email, password, role),
        _("The account is added."),
        "/admin/users",
    )
