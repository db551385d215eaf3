"""The small contract every channel adapter keeps (connect, listen, send, disconnect)."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from fastapi import FastAPI

from dialogs.types import Reply


class SendOutcome(StrEnum):
    """What happened to an outbound message."""

    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot or left: stop sending
    FAILED = "failed"  # try again later


class Channel(Protocol):
    """A way to reach participants: Telegram, Teams, the console."""

    name: str

    def mount(self, app: FastAPI) -> None:
        """Add the channel's HTTP routes (webhooks) to the app; may add none."""

    async def connect(self) -> None:
        """Prepare the channel (sessions, commands, webhook registration)."""

    async def listen(self) -> None:
        """Receive updates until cancelled (long polling); return at once for webhooks."""

    async def send(self, external_id: str, replies: list[Reply]) -> SendOutcome:
        """Deliver replies to one participant, within the channel's rate limits."""

    async def disconnect(self) -> None:
        """Release everything."""
