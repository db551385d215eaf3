"""Fixtures for the staff admin: the app on a seeded database, staff accounts, clients."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Round, utcnow
from budgeting.phases import Phase
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import BOT, Browser, add_staff
from tests.web_admin.live import CHROMIUM, CHROMIUM_ARGS, LiveServer, seeded_server
from web_admin import accounts
from web_admin.app import create_app


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with cheap parameters so tests stay quick."""
    monkeypatch.setattr(
        accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    )
    monkeypatch.setattr(accounts, "_DUMMY_HASH", accounts.hasher.hash("dummy"))


@pytest.fixture
async def town(sessions: async_sessionmaker[AsyncSession]) -> Round:
    """TOWN (returned) and WORKPLACE in the review phase, and two staff accounts."""
    async with sessions() as session, session.begin():
        round_, _ = await rounds_in_phase(session, utcnow(), Phase.REVIEW, TOWN, WORKPLACE)
    await add_staff(sessions)
    return round_


@pytest.fixture
def app(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> FastAPI:
    return create_app(
        sessions, secret_key="test secret key", media_dir=tmp_path / "media", bot_username=BOT
    )


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[Callable[[], Browser]]:
    """Make clients of the ASGI app (each with its own cookies)."""
    clients: list[httpx.AsyncClient] = []

    def make() -> Browser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        clients.append(client)
        return Browser(client)

    yield make
    for client in clients:
        await client.aclose()


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


@pytest.fixture
def review_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.REVIEW)


@pytest.fixture
def decision_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.DECISION)
