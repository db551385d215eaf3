"""The Telegram channel for residents (aiogram 3): long polling or a webhook.

Every update goes through the dialog engine with its ``update_id`` as the update key
(a redelivered update is a no-op), one chat's updates strictly in arrival order.
An update counts as received once its effects are committed: the webhook answers 200
only then, and long polling confirms the offset only then. An update that keeps
failing is given up after a few attempts and the resident gets an apology. Replies
and notifications go through the shared outbound sender, within Telegram's limits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import BotCommand, Update
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from bot.channels.contract import SendOutcome
from bot.channels.ordering import InOrder
from bot.channels.pacing import DeliveryRefused, Outbound, RecipientUnreachable, RetryAfter
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.inbound import CHANNEL, language_of, residents_router, sender_of
from bot.channels.telegram.messages import TelegramCall, telegram_calls
from bot.channels.webhooks import Webhook
from budgeting.i18n import LANGUAGES, translator
from budgeting.i18n import _ as N_
from budgeting.services.reachability import mark_unreachable
from budgeting.settings import Settings
from dialogs.engine import DialogEngine
from dialogs.menu import COMMAND_HELP
from dialogs.types import Incoming, Reply

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
GONE = ("chat not found", "user is deactivated", "bot was kicked")
"""Telegram's words for a chat that is gone (some come as 400 rather than 403)."""
NOT_MODIFIED = "message is not modified"
RESPONSE_MODELS = tuple(
    methods.Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        methods.AnswerCallbackQuery,
        methods.DeleteWebhook,
        methods.EditMessageText,
        methods.GetMe,
        methods.GetUpdates,
        methods.SendMessage,
        methods.SendPhoto,
        methods.SetMyCommands,
        methods.SetWebhook,
    )
)
"""aiogram parses every answer as ``Response[<result type>]``; pydantic keeps such generic
classes only while something refers to them, and rebuilding one costs milliseconds, so
the ones this channel uses are kept here for the life of the process."""
TURN_FAILED = N_("Sorry, something went wrong on our side. Please try again in a moment.")


class TelegramChannel:
    """Residents on Telegram: receive updates, send replies and notifications."""

    name = CHANNEL

    def __init__(self, dialogs: DialogEngine, config: TelegramConfig) -> None:
        self.dialogs = dialogs
        self.config = config
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(config.api_url))
            if config.api_url
            else AiohttpSession()
        )
        self.bot = Bot(config.token, session=session)
        self.dispatcher = Dispatcher(disable_fsm=True, channel=self)
        self.dispatcher.include_router(residents_router())
        self.outbound: Outbound[TelegramCall] = Outbound(
            self._call, config.limits, on_unreachable=self._unreachable
        )
        self.in_order = InOrder()
        self._tasks: set[asyncio.Task[None]] = set()
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

    async def send(self, external_id: str, replies: list[Reply]) -> SendOutcome:
        """Deliver a notification to one resident (their chat id), within the rate limits.

        The outbox dispatcher skips participants already marked unreachable; a 403 marks
        them (``Participant.unreachable_at``) and ends sending to them in this process.
        """
        if self.outbound.is_unreachable(external_id):
            return SendOutcome.UNREACHABLE
        try:
            chat_id = int(external_id)
        except ValueError:
            log.warning("not a Telegram chat id; nothing sent")
            return SendOutcome.FAILED
        return await self.outbound.send(external_id, telegram_calls(chat_id, replies))

    async def disconnect(self) -> None:
        """Finish what is under way (up to ``shutdown_grace`` seconds), then close the session."""
        try:
            await asyncio.wait_for(self.drain(), self.config.shutdown_grace)
        except TimeoutError:
            log.warning("stopped with messages still queued")
        await self.outbound.close()
        await self.bot.session.close()

    # -- receiving -----------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The dialogs' replies; the update's effects are committed when this returns."""
        return await self.dialogs.handle(incoming)

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
            self.deliver(sender, [Reply(t.gettext(TURN_FAILED), rtl=t.rtl)])
        return True

    def _succeeded(self, update: Update) -> None:
        if self._failures:
            self._failures.pop(update.update_id, None)

    # -- sending -------------------------------------------------------------------------

    def deliver(
        self, chat_id: int, replies: list[Reply], edit_message_id: int | None = None
    ) -> None:
        """Queue the replies to a resident who just wrote (``edit_message_id``: pressed message)."""
        recipient = str(chat_id)
        self.outbound.reachable_again(recipient)
        if replies:
            self.outbound.submit(recipient, telegram_calls(chat_id, replies, edit_message_id))

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

    async def drain(self) -> None:
        """Wait until received updates are handled and every queued message is sent."""
        while len(self.in_order) or self._tasks or self.outbound.busy:
            await self.in_order.idle()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            await self.outbound.drain()

    async def _call(self, recipient: str, call: TelegramCall) -> None:
        """The outbound transport: one Bot API call, Telegram's errors in outbound's terms."""
        try:
            await self._request(call.method)
        except DeliveryRefused as refused:
            if NOT_MODIFIED in str(refused):
                return  # the same button pressed twice: the message already shows this
            if call.fallback is None:
                raise
            await self._request(call.fallback)

    async def _request(self, method: TelegramMethod[Any]) -> None:
        try:
            await self.bot(method)
        except TelegramRetryAfter as flood:
            raise RetryAfter(flood.retry_after) from flood
        except TelegramForbiddenError as forbidden:
            raise RecipientUnreachable() from forbidden
        except (TelegramBadRequest, TelegramNotFound) as refused:
            if any(reason in refused.message for reason in GONE):
                raise RecipientUnreachable() from refused
            raise DeliveryRefused(refused.message) from refused

    async def _unreachable(self, recipient: str) -> None:
        log.info("a resident blocked the bot; marked unreachable")
        async with self.dialogs.sessions() as session, session.begin():
            await mark_unreachable(session, CHANNEL, recipient)

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


def telegram_channel(dialogs: DialogEngine, settings: Settings) -> TelegramChannel | None:
    """The Telegram channel if ``BUDGETBOT_TELEGRAM_TOKEN`` is set, else None."""
    config = TelegramConfig.from_settings(settings)
    return TelegramChannel(dialogs, config) if config is not None else None
