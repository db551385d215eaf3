"""How a test talks to the Teams channel: a bot registration, an employee posting real
activities, and what Teams would show."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.teams.channel import TeamsChannel
from budgeting.models import Base
from tests.fakes.teams_connector import Delivery, FakeConnector

_activity_ids = itertools.count(1_712_000_000_000)
APP_ID = "6f1b2c3d-0000-4000-8000-00000000b07b"


APP_PASSWORD = "not-a-real-secret"


TENANT = "a1b2c3d4-1111-4111-8111-111111111111"


OTHER_TENANT = "e5f6a7b8-2222-4222-8222-222222222222"


BOT_ID = f"28:{APP_ID}"


def rendered(deliveries: list[Delivery]) -> str:
    """Texts, suggested actions [in brackets] and card buttons [in brackets] of deliveries."""
    parts: list[str] = []
    for delivery in deliveries:
        activity = delivery.activity
        if activity.get("text"):
            parts.append(activity["text"])
        for action in (activity.get("suggestedActions") or {}).get("actions", []):
            parts.append(f"[{action['title']}]")
        for attachment in activity.get("attachments") or []:
            for element in attachment["content"]["body"]:
                if element["type"] == "TextBlock":
                    parts.append(element["text"])
                for action in element.get("actions", []):
                    parts.append(f"[{action['title']}]")
    return "\n".join(parts)


@dataclass
class TeamsBot:
    """The app under test with its Teams channel, and the fake connector it talks to."""

    app: FastAPI
    client: httpx.AsyncClient
    channel: TeamsChannel
    connector: FakeConnector
    sessions: async_sessionmaker[AsyncSession]

    async def count(self, model: type[Base]) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@dataclass
class TeamsUser:
    """One employee in a personal chat with the bot, as Teams would present them."""

    bot: TeamsBot
    aad_id: str = field(default_factory=lambda: str(uuid4()))
    name: str = "Anna Andersson"
    tenant: str | None = TENANT
    locale: str = "en-US"
    conversation_type: str = "personal"
    token: Callable[[], str] | None = None
    conversation_id: str = field(default_factory=lambda: f"a:1{uuid4().hex}")
    last: list[Delivery] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)

    def activity(self, **fields: Any) -> dict[str, Any]:
        """A message activity shaped like the ones Teams posts."""
        activity: dict[str, Any] = {
            "type": "message",
            "id": str(next(_activity_ids)),
            "timestamp": "2027-03-01T09:00:00.000Z",
            "serviceUrl": self.bot.connector.url,
            "channelId": "msteams",
            "from": {"id": f"29:1{self.aad_id}", "name": self.name, "aadObjectId": self.aad_id},
            "conversation": {
                "conversationType": self.conversation_type,
                "id": self.conversation_id,
            },
            "recipient": {"id": BOT_ID, "name": "budgetbot"},
            "textFormat": "plain",
            "locale": self.locale,
            "entities": [{"type": "clientInfo", "locale": self.locale, "platform": "Web"}],
            "channelData": {},
        }
        if self.tenant:
            activity["conversation"]["tenantId"] = self.tenant
            activity["channelData"]["tenant"] = {"id": self.tenant}
        activity.update(fields)
        return activity

    async def post(self, activity: dict[str, Any]) -> httpx.Response:
        """POST one activity to /api/messages; keep what the bot sent back meanwhile."""
        headers = {"Authorization": f"Bearer {self.token()}"} if self.token else {}
        before = len(self.bot.connector.deliveries)
        response = await self.bot.client.post("/api/messages", json=activity, headers=headers)
        self.last = self.bot.connector.deliveries[before:]
        return response

    def replies(self) -> str:
        """What the bot sent back to the last post, rendered."""
        return rendered(self.last)

    async def say(self, text: str, **fields: Any) -> str:
        """Type a message; returns the rendered replies."""
        response = await self.post(self.activity(text=text, **fields))
        assert response.status_code == 202, response.text
        return self._note(text)

    async def submit(self, payload: str, card_id: str) -> str:
        """Press an Adaptive Card button (Action.Submit) on card ``card_id``."""
        response = await self.post(self.activity(value={"payload": payload}, replyToId=card_id))
        assert response.status_code == 202, response.text
        return self._note(f"<{payload}>")

    async def press(self, label: str) -> str:
        """Press the button whose label contains ``label``, as Teams would send it."""
        for delivery in reversed(self.last):
            for action in (delivery.activity.get("suggestedActions") or {}).get("actions", []):
                if label in action["title"]:
                    assert action["type"] == "imBack"
                    return await self.say(action["value"])
            for payload, title in card_buttons(delivery):
                if label in title:
                    return await self.submit(payload, delivery.activity_id)
        raise AssertionError(f"no button {label!r} in:\n{rendered(self.last)}")

    async def run(self, steps: list[tuple[str, str | list[str]]]) -> None:
        """(message or [button label], expected fragments) pairs."""
        for message, expected in steps:
            if message.startswith("[") and message.endswith("]"):
                out = await self.press(message[1:-1])
            else:
                out = await self.say(message)
            for fragment in [expected] if isinstance(expected, str) else expected:
                assert fragment in out, (
                    f"after {message!r} expected {fragment!r} in:\n{out}\n\n"
                    + "\n".join(f"> {m}\n{r}" for m, r in self.transcript)
                )

    def _note(self, message: str) -> str:
        out = rendered(self.last)
        self.transcript.append((message, out))
        return out


def card_buttons(delivery: Delivery) -> list[tuple[str, str]]:
    """(payload, title) of every Action.Submit on a delivered card."""
    buttons = []
    for attachment in delivery.activity.get("attachments") or []:
        for element in attachment["content"]["body"]:
            for action in element.get("actions", []):
                buttons.append((action["data"]["payload"], action["title"]))
    return buttons
