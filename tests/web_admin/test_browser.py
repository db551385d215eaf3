"""End to end in a real browser: the app served by uvicorn, driven by Playwright's chromium.

Staff review, moderate, set up a round and publish its results; afterwards the outbox in
the database holds what participants will be told. axe-core checks the main pages.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import create_engine, session_factory
from budgeting.models import (
    Notification,
    NotificationKind,
    Proposal,
    ProposalStatus,
    Round,
    TallyRun,
    utcnow,
)
from budgeting.phases import Phase
from tests.builders import cast_ballots, rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import ADMIN, BOT, MODERATOR, add_staff
from web_admin.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from synchronous test code."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def in_db(url: str, work: Callable[[AsyncSession], Coroutine[Any, Any, Any]]) -> Any:
    """Do ``work`` in one committed transaction on the database at ``url``."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


@dataclass
class LiveServer:
    """The real app under uvicorn on a free loopback port, in a background thread."""

    database_url: str
    media_dir: Path
    url: str = ""
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.thread = threading.Thread(target=asyncio.run, args=(self._serve(sock),), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not (self.server and self.server.started):
            assert time.monotonic() < deadline and self.thread.is_alive(), "no server started"
            time.sleep(0.02)

    async def _serve(self, sock: socket.socket) -> None:
        engine = create_engine(self.database_url)
        app = create_app(
            session_factory(engine),
            secret_key="browser test secret",
            media_dir=self.media_dir,
            bot_username=BOT,
        )
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        try:
            await self.server.serve(sockets=[sock])
        finally:
            await engine.dispose()

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright; missing chromium fails on CI, skips locally."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run on CI: {message}")
        pytest.skip(f"browser tests skipped: {message}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def seeded_server(
    sqlite_template: Path, tmp_path: Path, phase: Phase
) -> Iterator[tuple[LiveServer, str]]:
    """A temp SQLite database with TOWN and WORKPLACE in ``phase`` and two staff, served live."""
    path = tmp_path / "browser.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def seed(session: AsyncSession) -> None:
        await rounds_in_phase(session, utcnow(), phase, TOWN, WORKPLACE)

    async def prepare() -> None:
        await in_db(url, seed)
        engine = create_engine(url)
        await add_staff(session_factory(engine))
        await engine.dispose()

    run(prepare())
    server = LiveServer(url, tmp_path / "media")
    server.start()
    try:
        yield server, url
    finally:
        server.stop()


@pytest.fixture
def review_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.REVIEW)


@pytest.fixture
def decision_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.DECISION)


class Staff:
    """One staff member's browser tab; notes any Content-Security-Policy complaint."""

    def __init__(self, chromium: Any, server: LiveServer, **context: Any) -> None:
        self.context = chromium.new_context(base_url=server.url, **context)
        self.context.set_default_timeout(5_000)
        self.page = self.context.new_page()
        self.csp_errors: list[str] = []
        self.page.on(
            "console",
            lambda msg: (
                self.csp_errors.append(msg.text) if "Content Security" in msg.text else None
            ),
        )

    def login(self, email: str, password: str) -> Any:
        page = self.page
        page.goto("/admin/login?lang=en")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")
        return page

    def close(self) -> None:
        assert self.csp_errors == []
        self.context.close()


def flash(page: Any) -> str:
    return page.locator(".flash").first.inner_text()


def test_a_moderator_reviews_ideas_and_hides_a_comment(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    server, url = review_server
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Review").click()
    page.get_by_role("link", name="Bokbuss varje vecka").click()
    for criterion in page.locator("fieldset.criterion").all():
        criterion.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_role("button", name="Accept", exact=True).click()
    assert "on the ballot" in flash(page)
    page.get_by_role("link", name="Laddstolpar på landet").click()
    page.get_by_label("Reason (the author reads it)", exact=True).fill(
        "Elbolaget äger laddstolparna."
    )
    page.get_by_role("button", name="Reject", exact=True).click()
    assert "rejected" in flash(page)
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Comments").click()
    page.get_by_label("Reason for hiding (the author reads it)").fill("Utanför ämnet.")
    page.get_by_role("button", name="Hide").click()
    assert "hidden" in flash(page)
    staff.close()

    async def check(session: AsyncSession) -> None:
        outcomes = (
            await session.scalars(
                select(Notification)
                .where(Notification.kind == NotificationKind.REVIEW_OUTCOME.value)
                .order_by(Notification.id)
            )
        ).all()
        assert [n.payload["params"]["outcome"] for n in outcomes] == ["accepted", "rejected"]
        assert outcomes[1].payload["params"]["reason"] == "Elbolaget äger laddstolparna."
        assert all(n.participant_id is not None for n in outcomes)
        [hidden] = (
            await session.scalars(
                select(Notification).where(
                    Notification.kind == NotificationKind.COMMENT_HIDDEN.value
                )
            )
        ).all()
        assert hidden.payload["params"]["reason"] == "Utanför ämnet."
        assert hidden.participant_id is not None

    run(in_db(url, check))


def test_an_admin_sets_up_a_round_and_publishes_its_results(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    server, url = review_server
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.get_by_role("link", name="New round").click()
    page.get_by_label("Short name (used in links)").fill("hedemora-2027")
    page.get_by_label("Budget in kronor").fill("300000")
    dates = ["Ideas open", "Review starts", "Voting opens", "Voting closes, decision phase"]
    dates += ["Implementation starts", "Follow-up starts", "Round closes"]
    for month, label in enumerate(dates, start=1):
        page.get_by_label(label).fill(f"2027-{month:02d}-01T09:00")
    page.locator("#texts-sv-title").fill("Medborgarbudget Hedemora")
    page.locator("#texts-en-title").fill("Hedemora participatory budget")
    page.get_by_role("button", name="Save the round").click()
    assert "saved" in flash(page)
    area = page.get_by_role("group", name="Add an area")
    area.get_by_label("Svenska").fill("Hela kommunen")
    area.get_by_label("Budget in kronor").fill("300 000")
    page.get_by_role("button", name="Add the area").click()
    page.get_by_role("group", name="Add a criterion").get_by_label("Svenska").fill("Gynnar många")
    page.get_by_role("button", name="Add the criterion").click()
    assert "saved" in flash(page)

    async def residents_take_part(session: AsyncSession) -> int:
        round_ = (await session.scalars(select(Round).where(Round.slug == "hedemora-2027"))).one()
        await session.refresh(round_, ["areas"])
        for title, cost in (("Parkbänkar", 90_000), ("Lekplats", 200_000), ("Belysning", 150_000)):
            session.add(
                Proposal(
                    round_id=round_.id,
                    area_id=round_.areas[0].id,
                    title=title,
                    description=f"{title} i centrum.",
                    estimated_cost=cost,
                    status=ProposalStatus.ACCEPTED,
                )
            )
        await session.flush()
        await cast_ballots(session, round_, voters=30)
        return round_.id

    round_id = run(in_db(url, residents_take_part))
    page.goto(f"/admin/rounds/{round_id}")
    page.get_by_label("Phase now").select_option("decision")
    page.get_by_role("button", name="Change phase").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Results").click()
    page.get_by_role("button", name="Count the ballots").click()
    assert "counted" in flash(page)
    assert page.locator("svg[role=img]").count() == 1
    page.get_by_role("button", name="Publish the newest count").click()
    assert "published" in flash(page)
    staff.close()

    async def check(session: AsyncSession) -> None:
        [results] = (
            await session.scalars(
                select(Notification).where(Notification.kind == NotificationKind.RESULTS.value)
            )
        ).all()
        assert results.round_id == round_id
        [run_] = (await session.scalars(select(TallyRun))).all()
        assert run_.round_id == round_id and run_.published_at is not None
        statuses = (
            await session.scalars(select(Proposal.status).where(Proposal.round_id == round_id))
        ).all()
        assert ProposalStatus.SELECTED in statuses

    run(in_db(url, check))


SERIOUS = ("serious", "critical")


def test_axe_finds_no_serious_violations(
    chromium: Any, decision_server: tuple[LiveServer, str]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = decision_server

    async def ids(session: AsyncSession) -> tuple[int, int]:
        round_ = (await session.scalars(select(Round).where(Round.slug == WORKPLACE.slug))).one()
        proposal = (await session.scalars(select(Proposal).order_by(Proposal.id).limit(1))).one()
        return round_.id, proposal.id

    round_id, proposal_id = run(in_db(url, ids))
    axe = Axe()
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.page
        pages = ["/admin/login?lang=en"]
        problems: list[str] = []
        for path in pages:
            page.goto(path)
            problems += serious(axe.run(page).response, path)
        staff.login(*ADMIN)
        for path in (
            "/admin/",
            f"/admin/rounds/{round_id}/review?show=all",
            f"/admin/proposals/{proposal_id}",
            f"/admin/rounds/{round_id}/results",
            f"/admin/rounds/{round_id}/implementation",
            f"/admin/rounds/{round_id}/edit",
            "/admin/users",
            "/admin/account",
        ):
            page.goto(path)
            problems += serious(axe.run(page).response, path)
            wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not wide, f"{path} scrolls sideways at {viewport}"
        assert problems == [], "\n".join(problems)
        staff.close()


def serious(response: dict, path: str) -> list[str]:
    """axe violations of serious or critical impact, one line each."""
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:200]}"
        for v in response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_a_moderator_follows_a_suggested_duplicate_and_axe_is_clean(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = review_server

    async def add_duplicate(session: AsyncSession) -> None:
        town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
        benches = (
            await session.scalars(
                select(Proposal).where(Proposal.title == "Fler bänkar längs Ljusterån")
            )
        ).one()
        session.add(
            Proposal(
                round_id=town.id,
                area_id=benches.area_id,
                title="Sittplatser vid Ljusterån",
                description="Vi äldre behöver bänkar att vila på när vi promenerar vid Ljusterån.",
                estimated_cost=40_000,
                status=ProposalStatus.SUBMITTED,
            )
        )
        await session.commit()

    run(in_db(url, add_duplicate))
    axe = Axe()
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Review").click()
    problems = serious(axe.run(page).response, "review queue")
    row = page.get_by_role("row").filter(has_text="Sittplatser vid Ljusterån")
    row.get_by_role("link", name="Fler bänkar längs Ljusterån").click()
    page.wait_for_url("**/admin/proposals/*")
    assert page.get_by_role("heading", name="Suggested duplicates").is_visible()
    problems += serious(axe.run(page).response, "proposal review")
    page.get_by_role("region", name="Suggested duplicates").get_by_role(
        "link", name="Sittplatser vid Ljusterån"
    ).click()
    assert "Sittplatser vid Ljusterån" in page.get_by_role("heading", level=1).inner_text()
    assert problems == [], "\n".join(problems)
    staff.close()
