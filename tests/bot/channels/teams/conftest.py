"""Teams tests: the real app (bot.app.bootstrap.build_app) with the Teams channel mounted, real
Activity JSON posted to /api/messages, replies captured by a fake Bot Connector on loopback.
"""

from __future__ import annotations

import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.bootstrap import Runtime, runtime_on, teams_channel
from budgeting.services.reachability import Reachability
from budgeting.settings import Settings
from tests.bot.channels.teams.harness import TeamsBot
from tests.fakes.microsoft_identity import FakeMicrosoftIdentity
from tests.fakes.teams_connector import FakeConnector


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
def identity_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeMicrosoftIdentity]:
    fake = FakeMicrosoftIdentity(tmp_path_factory.mktemp("microsoft"))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def microsoft(
    identity_server: FakeMicrosoftIdentity, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeMicrosoftIdentity]:
    """Route this process's HTTPS for Microsoft's login hosts to the fake identity."""
    for name, value in identity_server.environ().items():
        monkeypatch.setenv(name, value)
    urllib.request.install_opener(None)  # urllib reads the proxy settings anew
    identity_server.token_requests.clear()
    yield identity_server
    urllib.request.install_opener(None)


@pytest.fixture
async def teams(
    sessions: async_sessionmaker[AsyncSession], connector: FakeConnector
) -> AsyncIterator[Callable[..., TeamsBot]]:
    """Build the app with a Teams channel: ``teams(teams_tenant_id=..., teams_app_id=...)``."""
    from bot.app.bootstrap import (
        build_app,  # the whole app (admin included), only where it is needed
    )

    clients: list[httpx.AsyncClient] = []
    runtimes: list[Runtime] = []

    def make(**teams_settings: Any) -> TeamsBot:
        unset = {"teams_app_id": None, "teams_app_password": None, "teams_tenant_id": None}
        settings = Settings(_env_file=None, **{**unset, **teams_settings})  # type: ignore[call-arg]
        runtime = runtime_on(settings, sessions)  # turn replies stored until sent, as in serve
        runtimes.append(runtime)
        channel = teams_channel(
            settings, runtime.dialogs.handle, Reachability(sessions, "teams"), runtime.replies.guard
        )
        app = build_app(runtime, [channel])
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://budgetbot.test"
        )
        clients.append(client)
        return TeamsBot(app, client, channel, connector, sessions)

    yield make
    for client in clients:
        await client.aclose()
    for runtime in runtimes:
        await runtime.replies.close()
