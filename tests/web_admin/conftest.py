"""Fixtures for the staff admin: the app on a seeded database, staff accounts, clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

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
