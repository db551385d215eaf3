"""Fixtures for the staff admin: the app on a seeded database, staff accounts, clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import AuditEntry, Notification, NotificationKind, Proposal, Round, utcnow
from budgeting.phases import Phase
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from web_admin import accounts
from web_admin.accounts import add_user
from web_admin.app import create_app

ADMIN = ("admin@sater.example", "admin password 123")
MODERATOR = ("moderator@sater.example", "moderator password 123")
BOT = "sater_budget_bot"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with cheap parameters so tests stay quick."""
    monkeypatch.setattr(
        accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    )
    monkeypatch.setattr(accounts, "_DUMMY_HASH", accounts.hasher.hash("dummy"))


async def add_staff(sessions: async_sessionmaker[AsyncSession]) -> None:
    """One admin and one moderator."""
    async with sessions() as session, session.begin():
        await add_user(session, *ADMIN, "admin")
        await add_user(session, *MODERATOR, "moderator")


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


@dataclass
class Browser:
    """An httpx client that keeps cookies and knows the page's CSRF token."""

    client: httpx.AsyncClient
    csrf: str = ""

    async def get(self, url: str, **kwargs) -> httpx.Response:
        response = await self.client.get(url, **kwargs)
        match = CSRF.search(response.text)
        if match:
            self.csrf = match.group(1)
        return response

    async def post(self, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
        body = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(url, data=body, **kwargs)

    async def login(self, email: str, password: str) -> httpx.Response:
        """Log in with the UI in English (the msgids), so assertions survive new catalogs."""
        await self.get("/admin/login?lang=en")
        response = await self.post("/admin/login", {"email": email, "password": password})
        await self.get("/admin/")
        return response


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


async def outbox(
    sessions: async_sessionmaker[AsyncSession], kind: NotificationKind | None = None
) -> list[Notification]:
    """The notifications waiting in the outbox (of one kind), oldest first."""
    stmt = select(Notification).order_by(Notification.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind.value)
    async with sessions() as session:
        return list((await session.scalars(stmt)).all())


async def proposal_titled(sessions: async_sessionmaker[AsyncSession], title: str) -> Proposal:
    """The proposal with this title."""
    async with sessions() as session:
        return (await session.scalars(select(Proposal).where(Proposal.title == title))).one()


async def audit_actions(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The actions in the audit log, oldest first."""
    async with sessions() as session:
        stmt = select(AuditEntry.action).order_by(AuditEntry.id)
        return list((await session.scalars(stmt)).all())
