"""Where a Telegram chat's replies go: the rate-limited outbound sender, in order per chat.

The reply sink the router's handlers get (they never call back into the channel): replies
to a resident who just wrote, notifications, and answers to button presses that nobody
waits for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod

from bot.channels.contract import DeliveryGuard, Guards, SendOutcome
from bot.channels.pacing import Outbound
from bot.channels.telegram.config import CHANNEL
from bot.channels.telegram.messages import TelegramCall, telegram_calls
from dialogs.types import Reply

log = logging.getLogger(__name__)


class TelegramReplies:
    """Queues replies as Bot API calls on the outbound sender; makes background calls.

    A turn's replies are stored until sent (with ``guards``, the reply outbox's): each is
    queued with its guard, which records every call Telegram took.
    """

    def __init__(
        self, outbound: Outbound[TelegramCall], bot: Bot, guards: Guards | None = None
    ) -> None:
        self.outbound = outbound
        self.bot = bot
        self.guards = guards
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver(
        self,
        chat_id: int,
        replies: list[Reply],
        edit_message_id: int | None = None,
        update_key: str | None = None,
    ) -> None:
        """Queue the replies to a resident who just wrote (``edit_message_id``: pressed message;
        ``update_key``: the turn whose stored replies these are)."""
        recipient = str(chat_id)
        self.outbound.reachable_again(recipient)
        if replies:
            guard = (
                self.guards(CHANNEL, update_key)
                if self.guards is not None and update_key is not None
                else None
            )
            calls = telegram_calls(chat_id, replies, edit_message_id)
            self.outbound.submit(recipient, calls, guard)

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        """Deliver to one resident (their chat id) and wait for the outcome: a notification,
        or a turn's stored replies (``address`` may name the message to edit)."""
        if guard is None and self.outbound.is_unreachable(external_id):
            return SendOutcome.UNREACHABLE
        try:
            chat_id = int(external_id)
        except ValueError:
            log.warning("not a Telegram chat id; nothing sent")
            if guard is not None:
                await guard.finish(SendOutcome.UNREACHABLE)
            return SendOutcome.FAILED
        edit = (address or {}).get("edit")
        calls = telegram_calls(chat_id, replies, edit if isinstance(edit, int) else None)
        return await self.outbound.send(external_id, calls, guard)

    def call_in_background(self, method: TelegramMethod[Any]) -> None:
        """Make a call whose result nobody waits for (answerCallbackQuery)."""
        task = asyncio.create_task(self._call_quietly(method))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call_quietly(self, method: TelegramMethod[Any]) -> None:
        try:
            await self.bot(method)
        except Exception as error:  # noqa: BLE001 - e.g. a query too old to answer; no harm
            log.debug("%s failed: %s", type(method).__name__, type(error).__name__)

    @property
    def busy(self) -> bool:
        """True while a message is queued or a background call is under way."""
        return bool(self._tasks) or self.outbound.busy

    async def drain(self) -> None:
        """Wait until background calls are done and every queued message is sent."""
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.outbound.drain()

    async def close(self) -> None:
        """Stop sending; anything still queued fails (to be tried again later)."""
        await self.outbound.close()
