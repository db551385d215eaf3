"""The Telegram channel for residents (aiogram 3): long polling or a webhook.

Every update goes to the turn handler bootstrap gave the channel (the dialog engine),
with its ``update_id`` as the update key (a redelivered update is a no-op), one chat's
updates strictly in arrival order.
An update counts as received once its effects are committed: the webhook answers 200
only then, and long polling confirms the offset only then. An update that keeps
failing is given up after a few attempts and the resident gets an apology. Replies
and notifications go through the reply sink (the shared outbound sender), within
Telegram's limits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import BotCommand, Update
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from bot.channels.contract import DeliveryGuard, SendOutcome, TurnHandler
from bot.channels.ordering import InOrder
from bot.channels.telegram.config import CHANNEL, TelegramConfig
from bot.channels.telegram.inbound import language_of, residents_router, sender_of
from bot.channels.telegram.replies import TelegramReplies
from bot.channels.webhooks import Webhook
from budgeting.i18n import LANGUAGES, translator
from budgeting.i18n import _ as N_
from dialogs.menu import COMMAND_HELP
from dialogs.types import Reply

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
TURN_FAILED = N_("Sorry, something went wrong on our side. Please try again in a moment.")


class TelegramChannel:
    """Residents on Telegram: receive updates, send replies and notifications."""

    name = CHANNEL

    def __init__(
        self, config: TelegramConfig, bot: Bot, turns: TurnHandler, replies: TelegramReplies
    ) -> None:
        self.config = config
        self.bot = bot
        self.replies = replies
        self.dispatcher = Dispatcher(
            disable_fsm=True, turns=turns, replies=replies, answer_in_webhook=config.webhook
        )
        self.dispatcher.include_router(residents_router())
        self.in_order = InOrder()
        self._failures: dict[int, int] = {}
        self.username: str | None = None
        """The bot's @username once connected (for t.me deep links)."""

    # -- the Channel contract ------------------------------------------------------------

    def mount(self, app: FastAPI) -> None:
        """Add ``POST /telegram/webhook`` in webhook mode (nothing for long polling)."""
        if self.config.webhook:
            app.add_middleware(Webhook, path=WEBHOOK_PATH, endpoint=self.receive_webhook)

    async def connect(self) -> None:
        """Register the commands in every language, then the webhook (or remove it)."""
        me = await self.bot.me()
        self.username = me.username
        log.info("connected to Telegram as @%s", me.username)
        await self.register_commands()
        if self.config.webhook:
            await self.bot.set_webhook(
                str(self.config.webhook_url),
                secret_token=self.config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)

    async def listen(self) -> None:
        """Long polling until cancelled; returns at once in webhook mode."""
        if self.config.webhook:
            return
        await self.poll()

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        *,
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        """Deliver a notification, or a turn's stored replies, to one resident (their chat
        id), within the rate limits.

        The outbox worker skips participants already marked unreachable; a 403 marks
        them (``Participant.unreachable_at``) and ends sending to them in this process.
        """
        return await self.replies.send(external_id, replies, address, guard)

    async def disconnect(self) -> None:
        """Finish what is under way (up to ``shutdown_grace`` seconds), then close the session."""
        try:
            await asyncio.wait_for(self.drain(), self.config.shutdown_grace)
        except TimeoutError:
            log.warning("stopped with messages still queued")
        await self.replies.close()
        await self.bot.session.close()

    # -- receiving -----------------------------------------------------------------------

    async def receive(self, update: Update) -> object:
        """Handle one update: returns once its effects are committed and its replies queued.

        The result is a Bot API method to answer the webhook request with, if any.
        """
        sender = sender_of(update)
        if sender is None:
            return None
        return await self.in_order.run(
            sender, lambda: self.dispatcher.feed_update(self.bot, update)
        )

    async def receive_webhook(self, request: Request) -> Response:
        """``POST /telegram/webhook``: check the secret, handle the update, then answer 200."""
        if not self.secret_matches(request.headers.get(SECRET_HEADER)):
            status = 401 if SECRET_HEADER not in request.headers else 403
            return Response(status_code=status)
        try:
            update = Update.model_validate_json(await request.body(), context={"bot": self.bot})
        except ValidationError:
            return Response(status_code=400)
        try:
            result = await self.receive(update)
        except Exception as error:  # noqa: BLE001 - a 500 makes Telegram deliver it again
            return Response(status_code=200 if self._gave_up(update, error) else 500)
        self._succeeded(update)
        if isinstance(result, TelegramMethod):
            return JSONResponse(webhook_reply(result))
        return Response(status_code=200)

    def secret_matches(self, given: str | None) -> bool:
        """Constant-time comparison with the configured webhook secret."""
        expected = self.config.webhook_secret
        if not expected or given is None:
            return False
        return hmac.compare_digest(given.encode(), expected.encode())

    async def poll(self) -> None:
        """getUpdates in a loop; the offset moves past an update only once it is handled."""
        offset: int | None = None
        while True:
            try:
                updates = await self.bot(
                    GetUpdates(
                        offset=offset,
                        timeout=self.config.poll_timeout,
                        allowed_updates=ALLOWED_UPDATES,
                    ),
                    request_timeout=self.config.poll_timeout + 10,
                )
            except TelegramRetryAfter as flood:
                await asyncio.sleep(flood.retry_after)
                continue
            except TelegramConflictError:
                log.error("another poller or a webhook is active; retrying in 5 s")
                await asyncio.sleep(5)
                continue
            except TelegramUnauthorizedError:
                log.error("Telegram refused the bot token; long polling stopped")
                raise
            except Exception as error:  # noqa: BLE001 - network or server trouble
                log.warning("getUpdates failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(self.config.retry_pause)
                continue
            if updates:
                offset = await self.handle_batch(updates)

    async def handle_batch(self, updates: Sequence[Update]) -> int:
        """Handle updates (chats in parallel); the next offset: a failed update's, if any."""
        results = await asyncio.gather(
            *(self.receive(update) for update in updates), return_exceptions=True
        )
        for update, result in zip(updates, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if not isinstance(result, Exception):
                self._succeeded(update)
            elif not self._gave_up(update, result):
                await asyncio.sleep(self.config.retry_pause)
                return update.update_id  # later ones come again: no-ops if they were handled
        return updates[-1].update_id + 1

    def _gave_up(self, update: Update, error: Exception) -> bool:
        """Count a failed attempt; True once the update is given up and the resident told."""
        attempts = self._failures.get(update.update_id, 0) + 1
        log.error(
            "update %d failed (%s), attempt %d", update.update_id, type(error).__name__, attempts
        )
        log.debug("update failure", exc_info=error)
        if attempts < self.config.max_attempts:
            self._failures[update.update_id] = attempts
            return False
        self._failures.pop(update.update_id, None)
        sender = sender_of(update)
        if sender is not None:
            t = translator(language_of(update))
            self.replies.deliver(sender, [Reply(t.gettext(TURN_FAILED), rtl=t.rtl)])
        return True

    def _succeeded(self, update: Update) -> None:
        if self._failures:
            self._failures.pop(update.update_id, None)

    async def drain(self) -> None:
        """Wait until received updates are handled and every queued message is sent."""
        while len(self.in_order) or self.replies.busy:
            await self.in_order.idle()
            await self.replies.drain()

    async def register_commands(self) -> None:
        """setMyCommands: the default language for everyone, then one list per language."""
        default = self.config.default_locale
        for code in [default, *(c for c in LANGUAGES if c != default)]:
            t = translator(code)
            commands = [
                BotCommand(command=name, description=t.gettext(text)) for name, text in COMMAND_HELP
            ]
            await self.bot.set_my_commands(
                commands, language_code=None if code == default else code
            )


def webhook_reply(method: TelegramMethod[Any]) -> dict[str, Any]:
    """A Bot API call as the JSON body of a webhook response (Telegram makes the call)."""
    return {"method": method.__api_method__, **method.model_dump(mode="json", exclude_none=True)}
