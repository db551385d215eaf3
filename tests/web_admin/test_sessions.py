"""Staff sessions kept server-side, through HTTP: what ends them, what the cookie holds."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Round, StaffSession, StaffUser, utcnow
from tests.web_admin.harness import ADMIN, CSRF, MODERATOR, Browser, audit_actions
from web_admin.app import create_app

SESSION = "budgetbot_session"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def copy_of(browser: Callable[[], Browser], original: Browser) -> Browser:
    """Another client holding a copy of ``original``'s session cookie (and nothing else)."""
    thief = browser()
    thief.client.cookies.set(SESSION, original.client.cookies[SESSION], path="/admin")
    thief.csrf = original.csrf
    return thief


async def logged_in(browser: Browser) -> bool:
    """True if the dashboard answers, False if it sends the browser to the login page."""
    response = await browser.get("/admin/")
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


async def user_id(sessions: async_sessionmaker[AsyncSession], email: str) -> int:
    async with sessions() as session:
        return (await session.scalars(select(StaffUser.id).where(StaffUser.email == email))).one()


async def session_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(StaffSession)) or 0


async def test_the_cookie_holds_only_a_random_id(
    town: Round,
    browser: Callable[[], Browser],
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    admin = browser()
    await admin.get("/admin/login?lang=en")
    response = await admin.post("/admin/login", {"email": ADMIN[0], "password": ADMIN[1]})
    flags = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION))
    flags = flags.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/admin" in flags
    assert "secure" not in flags
    await admin.get("/admin/")
    value = admin.client.cookies[SESSION]
    assert len(value) >= 40 and admin.csrf not in value and "." not in value
    # the database keeps only the id's hash; the row holds the CSRF token
    async with sessions() as session:
        row = (await session.scalars(select(StaffSession))).one()
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest() != value
    assert row.csrf_token == admin.csrf
    assert row.staff_user_id == await user_id(sessions, ADMIN[0])
    # the other cookie is only preferences: no user id, stamp or token in it
    prefs = admin.client.cookies["budgetbot_prefs"]
    payload = json.loads(base64.b64decode(prefs.split(".")[0]))
    assert set(payload) <= {"lang", "flash"}, payload
    # behind https the session cookie is Secure
    secure = create_app(sessions, secret_key="k", https_only=True, media_dir=tmp_path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=secure), base_url="https://testserver"
    ) as client:
        staff = Browser(client)
        response = await staff.login(*ADMIN)
        cookies = response.headers.get_list("set-cookie")
        assert any(c.startswith(SESSION) and "secure" in c.lower() for c in cookies)


async def test_a_cookie_copied_before_logout_is_refused_afterwards(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    thief = copy_of(browser, admin)
    assert await logged_in(thief)  # a copy works while the session lasts
    assert (await admin.post("/admin/logout")).headers["location"] == "/admin/login"
    assert not await logged_in(admin)
    response = await thief.get("/admin/users")
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    # nor can the copy (with the token it had seen) add an account, as in the issue
    response = await thief.post(
        "/admin/users",
        {"email": "intruder@evil.example", "password": "a long enough password", "role": "admin"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    async with sessions() as session:
        emails = (await session.scalars(select(StaffUser.email))).all()
    assert "intruder@evil.example" not in emails
    assert await session_count(sessions) == 0
    assert (await audit_actions(sessions))[-2:] == ["login", "logout"]


async def test_log_out_everywhere_ends_every_session_of_that_person(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    laptop, phone, colleague = browser(), browser(), browser()
    await laptop.login(*MODERATOR)
    await phone.login(*MODERATOR)
    await colleague.login(*ADMIN)
    assert await logged_in(laptop) and await logged_in(phone)  # a new login ends no other
    page = await phone.get("/admin/account")
    assert page.status_code == 200 and MODERATOR[0] in page.text
    assert page.text.count("(this one)") == 1
    response = await phone.post("/admin/account/logout-everywhere")
    assert response.headers["location"] == "/admin/login"
    assert "You are logged out on every device." in (await phone.get("/admin/login")).text
    assert not await logged_in(phone)
    assert not await logged_in(laptop)
    assert await logged_in(colleague)
    assert "logout.everywhere" in await audit_actions(sessions)


async def test_changing_the_password_ends_the_other_sessions(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    here, elsewhere = browser(), browser()
    await here.login(*MODERATOR)
    await elsewhere.login(*MODERATOR)
    new = "a brand new password 456"
    refusals = [
        ({"current_password": "not it", "new_password": new}, "The current password is wrong."),
        ({"current_password": MODERATOR[1], "new_password": new + "!"}, "differ"),
        ({"current_password": MODERATOR[1], "new_password": "short"}, "at least 12"),
        ({"current_password": MODERATOR[1], "new_password": "password1234"}, "most used"),
        ({"current_password": MODERATOR[1], "new_password": "aaaaaaaaaaaa"}, "easy to guess"),
    ]
    for form, reason in refusals:
        form.setdefault("new_password_again", form["new_password"][: len(new)])
        response = await here.post("/admin/account/password", form)
        assert response.headers["location"] == "/admin/account"
        assert reason in (await here.get("/admin/account")).text
    assert await logged_in(elsewhere)  # nothing changed yet
    form = {"current_password": MODERATOR[1], "new_password": new, "new_password_again": new}
    await here.post("/admin/account/password", form)
    assert "Your password is changed." in (await here.get("/admin/account")).text
    assert await logged_in(here)
    assert not await logged_in(elsewhere)
    other = browser()
    assert (await other.login(MODERATOR[0], MODERATOR[1])).status_code == 401
    assert (await other.login(MODERATOR[0], new)).status_code == 303
    assert "staff.password" in await audit_actions(sessions)


async def test_a_role_change_ends_the_persons_sessions(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin, moderator = browser(), browser()
    await admin.login(*ADMIN)
    await moderator.login(*MODERATOR)
    assert (await moderator.get("/admin/users")).status_code == 403
    uid = await user_id(sessions, MODERATOR[0])
    response = await admin.post(f"/admin/users/{uid}/role", {"role": "admin"})
    assert response.headers["location"] == "/admin/users"
    assert "The role is changed" in (await admin.get("/admin/users")).text
    assert not await logged_in(moderator)
    await moderator.login(*MODERATOR)
    assert (await moderator.get("/admin/users")).status_code == 200  # now an admin
    assert await logged_in(admin)  # the one who changed it goes on
    assert "staff.role" in await audit_actions(sessions)


async def test_a_deactivated_account_cannot_log_in_and_its_sessions_end(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin, moderator = browser(), browser()
    await admin.login(*ADMIN)
    await moderator.login(*MODERATOR)
    thief = copy_of(browser, moderator)
    uid = await user_id(sessions, MODERATOR[0])
    await admin.post(f"/admin/users/{uid}/deactivate")
    page = (await admin.get("/admin/users")).text
    assert "The account is deactivated" in page and "Reactivate" in page
    assert not await logged_in(moderator) and not await logged_in(thief)
    wrong = await browser().login(MODERATOR[0], "not the password")
    right = await browser().login(*MODERATOR)
    assert right.status_code == wrong.status_code == 401
    assert "Wrong e-mail address or password." in right.text
    assert CSRF.sub("", right.text) == CSRF.sub("", wrong.text)  # the same page but its token
    await admin.post(f"/admin/users/{uid}/deactivate")  # twice: refused, nothing changes
    assert "already deactivated" in (await admin.get("/admin/users")).text
    await admin.post(f"/admin/users/{uid}/reactivate")
    assert (await moderator.login(*MODERATOR)).status_code == 303
    assert await logged_in(moderator)
    actions = await audit_actions(sessions)
    assert "staff.deactivate" in actions and "staff.reactivate" in actions


async def test_the_last_active_admin_stays(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    me = await user_id(sessions, ADMIN[0])
    refusal = "At least one active admin must remain."
    await admin.post(f"/admin/users/{me}/role", {"role": "moderator"})
    assert refusal in (await admin.get("/admin/users")).text
    await admin.post(f"/admin/users/{me}/deactivate")
    assert refusal in (await admin.get("/admin/users")).text
    # a second admin who is deactivated does not count
    second = ("second@sater.example", "second admin password")
    form = {"email": second[0], "password": second[1], "role": "admin"}
    await admin.post("/admin/users", form)
    other = await user_id(sessions, second[0])
    await admin.post(f"/admin/users/{other}/deactivate")
    await admin.post(f"/admin/users/{me}/role", {"role": "moderator"})
    assert refusal in (await admin.get("/admin/users")).text
    async with sessions() as session:
        assert (await session.get(StaffUser, me)).role == "admin"
    # with an active colleague, an admin may step down (and logs in again as a moderator)
    await admin.post(f"/admin/users/{other}/reactivate")
    await admin.post(f"/admin/users/{me}/role", {"role": "moderator"})
    assert not await logged_in(admin)
    await admin.login(*ADMIN)
    assert (await admin.get("/admin/users")).status_code == 403


async def test_the_csrf_token_is_the_sessions_own(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = browser(), browser()
    await first.login(*ADMIN)
    await second.login(*ADMIN)
    assert first.csrf != second.csrf
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": second.csrf}):
        response = await first.client.post("/admin/account/logout-everywhere", data=data)
        assert response.status_code == 403, data
    response = await first.client.post(
        "/admin/account/password",
        data={"current_password": ADMIN[1], "new_password": "x" * 20, "new_password_again": "x"},
    )
    assert response.status_code == 403
    assert await logged_in(first) and await logged_in(second)
    assert await session_count(sessions) == 2
    # a logout without the token is refused too
    assert (await first.client.post("/admin/logout")).status_code == 403
    assert await logged_in(first)


@pytest.fixture
def clock_app(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> tuple[FastAPI, list]:
    now = [utcnow()]
    app = create_app(sessions, secret_key="k", media_dir=tmp_path, clock=lambda: now[0])
    return app, now


async def test_an_idle_session_ends_and_old_rows_are_deleted(
    town: Round, clock_app: tuple[FastAPI, list], sessions: async_sessionmaker[AsyncSession]
) -> None:
    app, now = clock_app
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as one,
        httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"User-Agent": FIREFOX}
        ) as two,
    ):
        idle, busy = Browser(one), Browser(two)
        await idle.login(*MODERATOR)
        await busy.login(*MODERATOR)
        assert "Firefox, Linux" in (await busy.get("/admin/account")).text
        now[0] += timedelta(hours=1, minutes=59)
        assert await logged_in(busy)
        now[0] += timedelta(minutes=2)  # two hours and a minute since ``idle`` was used
        assert not await logged_in(idle)
        assert await logged_in(busy)
        assert await session_count(sessions) == 2  # the idle row waits for the next login
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as three:
            await Browser(three).login(*ADMIN)
        assert await session_count(sessions) == 2  # the idle one deleted, the admin's added
