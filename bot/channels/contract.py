"""The small contract every channel keeps, and what bootstrap gives a channel.

A channel gets a turn handler (an ``Incoming`` in, the replies out, its effects committed
when it returns: the dialog engine in ``budgetbot serve``, any plain function in a test)
and a reply sink of its own kind (the rate-limited outbound sender), never the dialog
engine itself. The outbox worker reaches participants through ``send``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Protocol

from fastapi import FastAPI

from dialogs.types import Incoming, Reply

TurnHandler = Callable[[Incoming], Awaitable[list[Reply]]]
"""Handles one participant's event; its effects are committed when it returns."""


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
