"""How a test reaches the Telegram channel: the channel in polling or webhook mode, a
resident in a private chat, and what the resident was shown."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.app.bootstrap import Runtime
from bot.channels.pacing import RateLimits
from bot.channels.telegram.channel import SECRET_HEADER, WEBHOOK_PATH, TelegramChannel
from budgeting.settings import Settings
from tests.fakes.telegram_bot_api import TOKEN, Call, FakeBotAPI

SECRET = "s3cret-Token_for-the-webhook"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""For tests of Telegram behaviour that does not depend on the database."""
FAST = RateLimits(
    overall_per_second=10_000, per_recipient_per_second=10_000, per_recipient_burst=100
)
"""Limits that never slow the journey tests down (the limit tests use the real ones)."""


@dataclass
class Telegram:
    """The channel, the fake, and how updates reach the channel in this mode."""

    mode: str
    fake: FakeBotAPI
    channel: TelegramChannel
    client: httpx.AsyncClient | None = None
    listening: asyncio.Task[None] | None = None
    runtime: Runtime | None = None
    """What ``budgetbot serve`` would share with the channel (its reply outbox), if built so."""

    async def deliver(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """Hand an update to the bot the way Telegram would; wait until it is fully handled."""
        if self.mode == "polling":
            self.fake.enqueue(update)
            await self.fake.wait_confirmed(update["update_id"])
            status = 200
        else:
            status = await self.post(update, secret)
        await self.channel.drain()
        return status

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """POST an update to the webhook route (webhook mode only)."""
        assert self.client is not None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        response = await self.client.post(WEBHOOK_PATH, content=json.dumps(update), headers=headers)
        if response.status_code == 200 and response.content:
            await self.fake.webhook_reply(response.json())  # a call in the response body
        return response.status_code

    def resident(self, user_id: int, first_name: str, language_code: str | None = "en") -> Resident:
        return Resident(self, self.fake.user(user_id, first_name, language_code))


@dataclass
class Resident:
    """One person in a private chat with the bot."""

    telegram: Telegram
    user: dict[str, Any]
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return self.user["id"]

    async def step(self, label: str, update: dict[str, Any]) -> list[Call]:
        before = len(self.telegram.fake.calls)
        status = await self.telegram.deliver(update)
        assert status == 200
        calls = [c for c in self.telegram.fake.calls[before:] if c.chat_id == self.chat_id]
        self.transcript.append((label, shown(calls)))
        return calls

    async def say(self, text: str) -> list[Call]:
        """Send a text message (or a command)."""
        return await self.step(text, self.telegram.fake.message_update(self.user, text=text))

    async def send_photo(self, caption: str | None = None) -> tuple[str, list[Call]]:
        """Send a photo; returns the largest size's file_id and the bot's calls."""
        sizes = self.telegram.fake.photo_sizes()
        update = self.telegram.fake.message_update(self.user, photo=sizes, caption=caption)
        return sizes[-1]["file_id"], await self.step("<photo>", update)

    def message_with(self, label: str) -> dict[str, Any]:
        """The newest bot message in the chat with a button whose label contains ``label``."""
        for message in reversed(self.telegram.fake.bot_messages(self.chat_id)):
            markup = message.get("reply_markup") or {}
            if any(label in b["text"] for row in markup.get("inline_keyboard", []) for b in row):
                return message
        raise AssertionError(f"no button {label!r} in the chat:\n{self.history()}")

    def button_update(self, label: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """The Update for pressing a button (on ``message``, or the newest that has it)."""
        target = message if message is not None else self.message_with(label)
        return self.telegram.fake.button_update(self.user, dict(target), label)

    async def press(self, label: str, message: dict[str, Any] | None = None) -> list[Call]:
        """Press the button labelled ``label``."""
        return await self.step(f"[{label}]", self.button_update(label, message))

    def history(self) -> str:
        return "\n".join(f"> {step}\n{out}" for step, out in self.transcript)


def shown(calls: list[Call]) -> str:
    """What a resident sees from these calls: texts, captions and button labels."""
    lines = []
    for call in calls:
        if call.method in ("sendMessage", "sendPhoto", "editMessageText") and call.ok:
            lines.append(f"{call.method}: {call.text}")
            lines.extend(f"[{label}]" for label in call.labels)
    return "\n".join(lines)


def telegram_settings(database_url: str, api_url: str, mode: str) -> Settings:
    webhook = mode == "webhook"
    return Settings(
        _env_file=None,
        database_url=database_url,
        telegram_token=TOKEN,
        telegram_api_url=api_url,
        telegram_webhook_url="https://budgetbot.example.org/telegram/webhook" if webhook else None,
        telegram_webhook_secret=SECRET if webhook else None,
    )


def expect(resident: Resident, calls: list[Call], *fragments: str) -> str:
    """Every fragment is in what the resident was shown; returns that text."""
    out = shown(calls)
    for fragment in fragments:
        assert fragment in out, f"expected {fragment!r} in:\n{out}\n\n{resident.history()}"
    return out


def methods(calls: list[Call]) -> list[str]:
    return [c.method for c in calls if c.ok]


async def start_in_english(resident: Resident) -> None:
    expect(resident, await resident.say("/start"), "Which language do you prefer?", "[English]")
    expect(
        resident,
        await resident.press("English"),
        "Language set to English.",
        "Privacy:",
        "Säter participatory budget 2027",
    )
