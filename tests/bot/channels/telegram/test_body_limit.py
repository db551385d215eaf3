"""The webhook refuses an update over 1 MB (413) before reading it, declared or streamed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from bot.channels.telegram.channel import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.webhooks import MAX_WEBHOOK_BODY
from budgeting.phases import Phase
from tests.bot.channels.telegram.harness import SECRET, SQLITE_ONLY

HEADERS = {"Content-Type": "application/json", SECRET_HEADER: SECRET}


class Stream:
    """``size`` bytes of one JSON string in 16 KB chunks; counts what was read of it."""

    def __init__(self, size: int, chunk: int = 16 * 1024) -> None:
        self.size, self.chunk, self.sent = size, chunk, 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for _ in range(self.size // self.chunk):
            self.sent += self.chunk
            yield b'"' + b"x" * (self.chunk - 2) + b'"'


@SQLITE_ONLY
async def test_updates_over_1_mb_are_refused_unread(seeded, make_telegram) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    stream = Stream(200 * MAX_WEBHOOK_BODY)  # the 200 MB of the attack in issue 15
    declared = {**HEADERS, "Content-Length": str(stream.size)}
    response = await telegram.client.post(WEBHOOK_PATH, content=stream.chunks(), headers=declared)
    assert (response.status_code, stream.sent) == (413, 0)
    chunked = Stream(20 * MAX_WEBHOOK_BODY)
    response = await telegram.client.post(WEBHOOK_PATH, content=chunked.chunks(), headers=HEADERS)
    assert response.status_code == 413
    assert chunked.sent <= MAX_WEBHOOK_BODY + chunked.chunk  # read no further


@SQLITE_ONLY
async def test_a_large_update_under_1_mb_is_handled(seeded, make_telegram) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    user = telegram.fake.user(2004, "Greta")
    update = telegram.fake.message_update(user, text="/start")
    update["message"]["caption"] = "x" * (MAX_WEBHOOK_BODY // 2)  # far over the staff forms'
    assert len(json.dumps(update)) < MAX_WEBHOOK_BODY
    assert await telegram.deliver(update) == 200
    assert telegram.fake.calls  # the bot answered
