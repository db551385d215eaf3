"""The small contract every channel keeps, and what bootstrap gives a channel.

A channel gets a turn handler (an ``Incoming`` in, the replies out, its effects committed
when it returns: the dialog engine in ``budgetbot serve``, any plain function in a test)
and a reply sink of its own kind (the rate-limited outbound sender), never the dialog
engine itself. The outbox worker reaches participants through ``send``; so does the reply
outbox, with the stored replies of a turn, their ``address`` and a ``DeliveryGuard``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from fastapi import FastAPI

from dialogs.types import Incoming, Reply

TurnHandler = Callable[[Incoming], Awaitable[list[Reply]]]
"""Handles one participant's event; its effects are committed when it returns."""


class SendOutcome(StrEnum):
    """What happened to an outbound message."""

    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot or left: stop sending
    FAILED = "failed"  # try again later


T = TypeVar("T")


class DeliveryGuard(Protocol):
    """Sends a turn's stored replies and records how far they got (``bot.delivery.replies``).

    A channel skips the first ``delivered`` messages (taken before a crash), makes each
    further call through ``one`` (it waits for a delivery slot and records the message
    before the slot is free again) and ends with ``finish``. Replies it will not send
    after all (the sender stops) are ``abandon``-ed: another try takes them later.
    """

    delivered: int

    async def one(self, send: Callable[[], Awaitable[T]], last: bool) -> T: ...

    async def finish(self, outcome: SendOutcome) -> None: ...

    def abandon(self) -> None: ...


Guards = Callable[[str, str], DeliveryGuard]
"""The guard for one turn's stored replies, by channel and update key (the reply outbox's)."""


class Channel(Protocol):
    """A way to reach participants: Telegram, Teams, the console."""

    name: str

    def mount(self, app: FastAPI) -> None:
        """Add the channel's HTTP routes (webhooks) to the app; may add none."""

    async def connect(self) -> None:
        """Prepare the channel (sessions, commands, webhook registration)."""

    async def listen(self) -> None:
        """Receive updates until cancelled (long polling); return at once for webhooks."""

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        *,
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        """Deliver replies to one participant, within the channel's rate limits.

        ``address`` and ``guard`` come with the stored replies of a turn: where exactly
        they go (as the turn's ``Incoming.reply_address`` said) and what records them.
        """

    async def disconnect(self) -> None:
        """Release everything."""
