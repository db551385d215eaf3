"""Staff accounts (admins only): list, add, change a role, deactivate, reactivate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import StaffUser
from budgeting.services import rules
from budgeting.services.staff import accounts
from budgeting.services.staff.audit import audit
from web_admin.accounts import PASSWORD_MIN_LENGTH
from web_admin.accounts import add_user as add_account
from web_admin.deps import ADMIN_ONLY, DbSession, Now, RowId
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


async def get_staff_user(user_id: RowId, db: DbSession) -> StaffUser:
    """The account named in the path; 404 if there is none."""
    user = await db.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="no such account")
    return user


StaffUserDep = Annotated[StaffUser, Depends(get_staff_user)]


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


@router.post("/{user_id}/role")
async def change_role(
    request: Request,
    user: StaffUserDep,
    db: DbSession,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Give a colleague another role; their sessions end."""
    return await act(
        request,
        db,
        accounts.change_role(db, request.state.staff, user, role),
        _("The role is changed; the account's sessions have ended."),
        "/admin/users",
    )


@router.post("/{user_id}/deactivate")
async def deactivate_user(
    request: Request, user: StaffUserDep, db: DbSession, now: Now
) -> Response:
    """Deactivate an account: it cannot log in, its sessions end."""
    return await act(
        request,
        db,
        accounts.deactivate(db, request.state.staff, user, now),
        _("The account is deactivated; its sessions have ended."),
        "/admin/users",
    )


@router.post("/{user_id}/reactivate")
async def reactivate_user(request: Request, user: StaffUserDep, db: DbSession) -> Response:
    """Let a deactivated account log in again."""
    return await act(
        request,
        db,
        accounts.reactivate(db, request.state.staff, user),
        _("The account is active again."),
        "/admin/users",
    )
