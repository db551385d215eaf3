"""Security of the staff admin, through HTTP against the ASGI app, on both databases."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import (
    Campaign,
    Comment,
    Follower,
    Notification,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
    StaffUser,
    utcnow,
)
from budgeting.services.staff.voting_codes import code_key, issue_batch
from budgeting.services.tally import count_round, publish_results
from tests.builders import cast_ballots
from tests.web_admin.harness import ADMIN, MODERATOR, Browser
from web_admin.app import PUBLIC_PATHS, create_app
from web_admin.deps import current_staff, require_admin, verify_csrf

SCRIPT = "<script>alert(1)</script>"
APP_CODE_KEY = code_key("test secret key")
"""The voting-code key of the ``app`` fixture's secret key."""
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HOSTILE_PABULIB = (
    "META\nkey;value\ndescription;{script}\nbudget;100\nvote_type;approval\n"
    "PROJECTS\nproject_id;cost;name\n1;50;{script}\nVOTES\nvoter_id;vote\n1;1\n"
)
"""A pabulib file whose description and project name are a script."""


def routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Every (method, API route) found by walking ``app.routes``, included routers too."""
    try:  # FastAPI >= 0.160 keeps included routers as branches of app.routes
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI copies every route into app.routes
        walked = list(app.routes)
    else:
        walked = list(iter_route_contexts(app.routes))
    for route in walked:
        if getattr(route, "dependant", None) is not None and route.methods:
            for method in sorted(route.methods):
                yield method, route


def staff_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    return [(m, r) for m, r in routes(app) if r.path not in PUBLIC_PATHS]


def depends_on(dependant: Dependant, call: Callable) -> bool:
    """True if ``call`` is anywhere in the route's dependency tree."""
    return dependant.call is call or any(depends_on(d, call) for d in dependant.dependencies)


def fill(path: str, **ids: int | str) -> str:
    """The path with its parameters filled in (1 unless given)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_the_walk_finds_the_admin(app: FastAPI) -> None:
    staff = staff_routes(app)
    assert len(staff) > 30
    assert {r.path for _, r in routes(app)} >= PUBLIC_PATHS
    for _, route in staff:
        assert route.path.startswith("/admin/"), route.path
        assert depends_on(route.dependant, current_staff), route.path
        assert depends_on(route.dependant, verify_csrf), route.path


async def test_every_staff_route_refuses_a_visitor_without_a_session(
    town: Round, browser: Callable[[], Browser], app: FastAPI
) -> None:
    visitor = browser()
    for method, route in staff_routes(app):
        url = fill(route.path, round_id=town.id)
        response = await visitor.client.request(method, url, data={"csrf_token": "guess"})
        refused = response.status_code in (401, 403) or (
            response.status_code == 303 and response.headers["location"].startswith("/admin/login")
        )
        assert refused, f"{method} {url} answered {response.status_code}"
        assert SCRIPT not in response.text


async def test_admin_routes_refuse_moderators(
    town: Round, browser: Callable[[], Browser], app: FastAPI
) -> None:
    moderator = browser()
    await moderator.login(*MODERATOR)
    admin_only = [(m, r) for m, r in staff_routes(app) if depends_on(r.dependant, require_admin)]
    assert len(admin_only) > 10
    for method, route in admin_only:
        url = fill(route.path, round_id=town.id)
        if method == "GET":
            response = await moderator.get(url)
        else:
            response = await moderator.post(url, {"reason": "x"})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"


async def test_a_post_without_the_csrf_token_is_refused(
    town: Round,
    browser: Callable[[], Browser],
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    posts = [r for m, r in staff_routes(app) if m == "POST"]
    assert len(posts) > 15
    for route in posts:
        url = fill(route.path, round_id=town.id)
        for data in ({"reason": "spam", "title": "x"}, {"csrf_token": "wrong", "reason": "x"}):
            response = await admin.client.post(url, data=data)
            assert response.status_code == 403, f"POST {url} answered {response.status_code}"
    # the right token from another site is refused too
    response = await admin.post(
        "/admin/proposals/1/reject", {"reason": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
        statuses = (await session.scalars(select(Proposal.status).order_by(Proposal.id))).all()
    assert ProposalStatus.REJECTED.value not in statuses[:4]


async def test_login_itself_needs_the_csrf_token(
    town: Round, browser: Callable[[], Browser]
) -> None:
    visitor = browser()
    await visitor.get("/admin/login")
    response = await visitor.client.post(
        "/admin/login", data={"email": ADMIN[0], "password": ADMIN[1]}
    )
    assert response.status_code == 403
    assert (await visitor.get("/admin/")).status_code == 303


async def _hostile_round(sessions: async_sessionmaker[AsyncSession], round_: Round) -> int:
    """A proposal titled with a script, commented and followed, counted and selected.

    A campaign label and the author's name carry the script too.
    """
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, round_.id)
        await session.refresh(round_, ["areas"])
        author = Participant(display_name=SCRIPT, round_id=round_.id, campaign="c<b>x</b>")
        session.add(author)
        await session.flush()
        proposal = Proposal(
            round_id=round_.id,
            area_id=round_.areas[1].id,
            author_id=author.id,
            title=SCRIPT,
            description=f"Description {SCRIPT}",
            estimated_cost=1,
            status=ProposalStatus.ACCEPTED,
            location=SCRIPT,
        )
        session.add(proposal)
        await session.flush()
        session.add(Comment(proposal_id=proposal.id, author_id=author.id, body=SCRIPT))
        session.add(Follower(participant_id=author.id, proposal_id=proposal.id))
        session.add(Campaign(round_id=round_.id, tag="poster", label=SCRIPT))
        await cast_ballots(session, round_)
        round_.phase_override = "decision"
        await count_round(session, round_, "greedy", now=utcnow(), seed=7)
        await publish_results(session, round_, utcnow())
        staff = (await session.scalars(select(StaffUser).order_by(StaffUser.id))).first()
        await issue_batch(session, staff, round_, None, 2, "hostile-round-token", APP_CODE_KEY)
        return proposal.id


async def test_a_script_in_a_title_is_shown_as_text_everywhere(
    town: Round,
    browser: Callable[[], Browser],
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    proposal_id = await _hostile_round(sessions, town)
    admin = browser()
    await admin.login(*ADMIN)
    hostile_file = HOSTILE_PABULIB.format(script=SCRIPT).encode()
    sent = await admin.post("/admin/imports/pabulib", files={"file": ("x.pb", hostile_file)})
    token = sent.headers["location"].rsplit("/", 1)[-1]
    shown_on = set()
    urls = [
        fill(
            r.path,
            round_id=town.id,
            proposal_id=proposal_id,
            area_id=town.areas[1].id,
            token=token,
        )
        for m, r in staff_routes(app)
        if m == "GET"
    ]
    urls += [f"/admin/rounds/{town.id}/review?show=all", f"/admin/rounds/{town.id}/comments"]
    for url in urls:
        response = await admin.get(url)
        assert response.status_code == 200, url
        if not response.headers["content-type"].startswith("text/html"):
            # downloads (CSV, pabulib, PNG) are data, never rendered by the browser
            assert response.headers["content-disposition"].startswith("attachment"), url
            continue
        assert SCRIPT not in response.text, url
        if ESCAPED in response.text:
            shown_on.add(url.split("?")[0].rsplit("/", 1)[-1])
    assert {
        str(proposal_id),
        "review",
        "comments",
        "results",
        "implementation",
        "broadcasts",
        "campaigns",
        token,  # the preview of an uploaded pabulib file
    } <= shown_on


async def test_the_csv_export_keeps_user_text_as_data(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    titles = [SCRIPT, '=HYPERLINK("http://evil.example")', "+1+1", "-1+1", "@SUM(A1)"]
    async with sessions() as session, session.begin():
        for title in titles:
            session.add(
                Proposal(
                    round_id=town.id,
                    area_id=town.areas[0].id,
                    title=title,
                    description="=cmd|' /C calc'!A0",
                    estimated_cost=10,
                )
            )
    admin = browser()
    await admin.login(*MODERATOR)
    response = await admin.get(f"/admin/rounds/{town.id}/export/proposals.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_title = {row["title"] for row in rows}
    assert SCRIPT in by_title
    for title in titles[1:]:
        assert f"'{title}" in by_title
    assert all(not row["title"].startswith(("=", "+", "-", "@")) for row in rows)
    assert all(not row["description"].startswith("=") for row in rows)


@pytest.fixture
def clock_app(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> tuple[FastAPI, list]:
    now = [utcnow()]
    app = create_app(sessions, secret_key="k", media_dir=tmp_path, clock=lambda: now[0])
    return app, now


async def test_headers_and_cookie_flags(
    town: Round,
    browser: Callable[[], Browser],
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    visitor = browser()
    response = await visitor.get("/admin/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "path=/admin" in cookie
    secure_app = create_app(sessions, secret_key="k", https_only=True, media_dir=tmp_path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=secure_app), base_url="https://testserver"
    ) as client:
        response = await client.get("/admin/login")
    assert "secure" in response.headers["set-cookie"].lower()
    assert "strict-transport-security" in response.headers


async def test_logout_ends_the_session_and_forged_cookies_fail(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    assert (await admin.get("/admin/")).status_code == 200
    cookie = admin.client.cookies.get("budgetbot_session")
    assert cookie
    # a made-up session id is worthless, and so is the real one altered
    for forged in ("x" * 43, cookie[:-1] + ("A" if cookie[-1] != "A" else "B")):
        visitor = browser()
        visitor.client.cookies.set("budgetbot_session", forged, path="/admin")
        assert (await visitor.get("/admin/")).status_code == 303
    response = await admin.post("/admin/logout")
    assert response.status_code == 303
    assert (await admin.get("/admin/")).status_code == 303


async def test_no_open_redirect_after_login(town: Round, browser: Callable[[], Browser]) -> None:
    visitor = browser()
    await visitor.get("/admin/login")
    for target in ("//evil.example/", "https://evil.example/", "/admin\\@evil"):
        response = await visitor.client.post(
            "/admin/login",
            data={
                "csrf_token": visitor.csrf,
                "email": MODERATOR[0],
                "password": MODERATOR[1],
                "next": target,
            },
        )
        assert response.headers["location"] == "/admin/"
        await visitor.get("/admin/login")


async def test_no_redirect_is_built_from_the_requests_host(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
        for path in ("/admin", "/admin/", "/admin/rounds/"):
            response = await client.get(path)
            location = response.headers.get("location", "")
            assert "evil.example" not in location, (path, location)
        assert (await client.get("/admin")).headers["location"] == "/admin/"


async def test_a_session_ends_twelve_hours_after_login(
    town: Round, clock_app: tuple[FastAPI, list]
) -> None:
    app, now = clock_app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        staff = Browser(client)
        await staff.login(*MODERATOR)
        for _ in range(6):  # in use every 1 h 50 min, so never idle for two hours
            now[0] += timedelta(hours=1, minutes=50)
            assert (await staff.get("/admin/")).status_code == 200
        now[0] += timedelta(hours=1, seconds=1)  # 12 h after logging in
        assert (await staff.get("/admin/")).status_code == 303


async def test_a_malformed_address_gets_an_error_page(
    town: Round, browser: Callable[[], Browser]
) -> None:
    staff = browser()
    await staff.login(*MODERATOR)
    response = await staff.get("/admin/rounds/not-a-number/review")
    assert response.status_code == 400 and "<h1>" in response.text


@pytest.mark.parametrize("huge", [2**63, 2**64, 10**30])
async def test_ids_out_of_range_get_an_error_page_never_a_crash(
    town: Round, browser: Callable[[], Browser], app: FastAPI, huge: int
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    for method, route in staff_routes(app):
        if "{" not in route.path:
            continue
        url = re.sub(r"\{(\w+)\}", str(huge), route.path)
        if method == "GET":
            response = await admin.get(url)
        else:
            response = await admin.post(url, {"target_id": str(huge), "area_id": str(huge)})
        assert response.status_code in (400, 404), f"{method} {url} answered {response.status_code}"
