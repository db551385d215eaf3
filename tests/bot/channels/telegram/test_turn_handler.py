"""The Telegram adapter with a plain function as its turn handler: no database, no dialogs.

What the channel contract promises: a channel needs only a turn handler (an Incoming in,
replies out) and its reply sink; the engine behind it is bootstrap's business.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
from fastapi import FastAPI

from bot.app.bootstrap import telegram_channel
from bot.channels.telegram.config import TelegramConfig
from dialogs.types import Button, Incoming, Reply
from tests.bot.channels.telegram.harness import FAST, SECRET, Telegram
from tests.fakes.telegram_bot_api import TOKEN, FakeBotAPI


async def test_the_adapter_runs_on_a_plain_turn_handler(fake: FakeBotAPI) -> None:
    seen: list[Incoming] = []

    async def echo(incoming: Incoming) -> list[Reply]:
        seen.append(incoming)
        said = incoming.text if incoming.payload is None else f"pressed {incoming.payload}"
        again = Button("Again", "echo:again")
        return [Reply(f"echo: {said}", ((again,),), replaces_previous=incoming.payload is not None)]

    config = TelegramConfig(
        token=TOKEN,
        api_url=fake.url,
        webhook_url="https://budgetbot.example.org/telegram/webhook",
        webhook_secret=SECRET,
        limits=FAST,
    )
    channel = telegram_channel(replace(config, shutdown_grace=5), echo)
    await channel.connect()
    app = FastAPI()
    channel.mount(app)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    telegram = Telegram("webhook", fake, channel, client)
    try:
        ada = telegram.resident(4242, "Ada")
        [sent] = [c for c in await ada.say("hello there") if c.method == "sendMessage"]
        assert (sent.text, sent.labels) == ("echo: hello there", ["Again"])
        pressed = await ada.press("Again")
        assert [(c.method, c.text) for c in pressed if c.ok] == [
            ("editMessageText", "echo: pressed echo:again")
        ]
        assert [(i.channel, i.user_id, i.text, i.payload) for i in seen] == [
            ("telegram", "4242", "hello there", None),
            ("telegram", "4242", None, "echo:again"),
        ]
        assert len({i.update_key for i in seen}) == 2
        assert any(c.method == "answerCallbackQuery" for c in fake.calls)
    finally:
        await client.aclose()
        await channel.disconnect()
