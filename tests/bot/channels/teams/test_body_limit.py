"""``/api/messages`` takes activities up to 1 MB (not the staff forms' 64 KB) and refuses
larger bodies (413) before reading them, declared or streamed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.channels.webhooks import MAX_WEBHOOK_BODY
from budgeting.phases import Phase
from tests.bot.channels.teams.harness import TeamsUser

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""HTTP framing: the same on any database."""


async def test_activities_up_to_1_mb_and_no_more(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()  # local mode: no token, so the body is what decides
    user = TeamsUser(bot)
    large = user.activity(text="/start", channelData={"note": "x" * (MAX_WEBHOOK_BODY // 2)})
    assert (await user.post(large)).status_code == 202
    assert "Welcome to budgetbot" in user.replies()
    sent = 0

    async def chunks(count: int) -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(count):
            sent += 16 * 1024
            yield b" " * 16 * 1024

    too_large = user.activity(text="/start", channelData={"note": "x" * MAX_WEBHOOK_BODY})
    response = await bot.client.post("/api/messages", content=json.dumps(too_large))
    assert response.status_code == 413
    streamed = await bot.client.post("/api/messages", content=chunks(20 * 64))  # 20 MB
    assert streamed.status_code == 413
    assert sent <= MAX_WEBHOOK_BODY + 16 * 1024  # read no further
