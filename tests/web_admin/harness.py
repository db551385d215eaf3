"""How a test uses the staff admin: staff accounts, a browser-like client with CSRF, and
what the outbox and the audit log hold."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import AuditEntry, Notification, NotificationKind, Proposal
from web_admin.accounts import add_user
from web_admin.letters import LetterFontMissing, letter_font

ADMIN = ("admin@sater.example", "admin password 123")


MODERATOR = ("moderator@sater.example", "moderator password 123")


BOT = "sater_budget_bot"


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def add_staff(sessions: async_sessionmaker[AsyncSession]) -> None:
    """One admin and one moderator."""
    async with sessions() as session, session.begin():
        await add_user(session, *ADMIN, "admin")
        await add_user(session, *MODERATOR, "moderator")


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


async def chat_turns(
    sessions: async_sessionmaker[AsyncSession], user: str, messages: list[str]
) -> str:
    """A resident's messages through the real dialog engine (console channel); the
    replies to the last one."""
    from dialogs.engine import DialogEngine
    from dialogs.types import Incoming

    engine = DialogEngine(sessions)
    replies: list = []
    for text in messages:
        replies = await engine.handle(Incoming(channel="console", user_id=user, text=text))
    return "\n".join(reply.text for reply in replies)


def vote_with_code(code: str, area_question: bool = True) -> list[str]:
    """First contact in English, then a ranked ballot with ``code`` (for the first area
    unless the code is for one area, where no area is asked)."""
    area = ["1"] if area_question else []
    return ["/start", "English", "/vote", code, *area, "1", "Done", "Confirm"]


def need_letter_font() -> None:
    """Skip a test that prints letters where the font is missing (fail on CI)."""
    try:
        letter_font()
    except LetterFontMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
