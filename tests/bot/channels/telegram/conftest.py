"""The Telegram channel against the fake Bot API, in polling and in webhook mode.

``telegram`` is parametrized over both delivery modes (and, through ``sessions``, over
SQLite and PostgreSQL). A ``Resident`` drives one private chat: each step delivers one
Update (queued for getUpdates, or POSTed to the FastAPI app with the secret header),
waits until it is handled and every reply is sent, and returns the calls the bot made.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.bootstrap import build_app, runtime_on, telegram_channel
from bot.channels.pacing import RateLimits
from bot.channels.telegram.config import TelegramConfig
from budgeting.services.reachability import Reachability
from tests.bot.channels.telegram.harness import (
    FAST,
    Telegram,
    telegram_settings,
)
from tests.fakes.telegram_bot_api import FakeBotAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def make_telegram(
    fake: FakeBotAPI, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> AsyncIterator[Callable[..., Any]]:
    """Build, connect and start a channel in a mode; everything is stopped afterwards."""
    started: list[Telegram] = []

    async def make(mode: str, limits: RateLimits = FAST) -> Telegram:
        settings = telegram_settings(database_url, fake.url, mode)
        config = TelegramConfig.from_settings(settings)
        assert config is not None
        config = replace(config, limits=limits, poll_timeout=5, shutdown_grace=5, retry_pause=0.05)
        runtime = runtime_on(settings, sessions)  # turn replies stored until sent, as in serve
        channel = telegram_channel(
            config,
            runtime.dialogs.handle,
            Reachability(sessions, "telegram"),
            runtime.replies.guard,
        )
        await channel.connect()
        telegram = Telegram(mode, fake, channel, runtime=runtime)
        if mode == "webhook":
            app = build_app(runtime, [channel])  # the app of `budgetbot serve`
            transport = httpx.ASGITransport(app=app)
            telegram.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        else:
            telegram.listening = asyncio.create_task(channel.listen())
        started.append(telegram)
        return telegram

    yield make

    for telegram in started:
        if telegram.listening is not None:
            telegram.listening.cancel()
            await asyncio.gather(telegram.listening, return_exceptions=True)
        if telegram.client is not None:
            await telegram.client.aclose()
        await telegram.channel.disconnect()
        if telegram.runtime is not None:
            await telegram.runtime.replies.close()


@pytest.fixture(params=["polling", "webhook"])
async def telegram(request: pytest.FixtureRequest, make_telegram) -> AsyncIterator[Telegram]:
    """The channel in polling or webhook mode, with fast limits."""
    telegram = await make_telegram(request.param)
    yield telegram
