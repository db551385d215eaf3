"""The browser harness: the real app under uvicorn on a loopback port, staff tabs in
Debian's chromium (the ``chromium`` fixture is in conftest.py), and axe-core's findings."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import create_engine, session_factory
from budgeting.models import utcnow
from budgeting.phases import Phase
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import BOT, add_staff
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


VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
"""Desktop and phone: every page is checked at both."""
SERIOUS = ("serious", "critical")
SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth + 1"


def serious(response: dict, path: str) -> list[str]:
    """axe violations of serious or critical impact, one line each."""
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:200]}"
        for v in response["violations"]
        if v["impact"] in SERIOUS
    ]


def page_problems(axe: Any, page: Any, name: str, viewport: dict) -> list[str]:
    """axe's serious findings on the page as it stands, labelled ``name``; fails at once
    if the page scrolls sideways."""
    assert not page.evaluate(SIDEWAYS), f"{name} scrolls sideways at {viewport}"
    return serious(axe.run(page).response, f"{name} at {viewport['width']} px")
