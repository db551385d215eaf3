"""Telegram's Bot API as the outbound sender's transport: one call, errors in its terms."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod

from bot.channels.pacing import DeliveryRefused, RecipientUnreachable, RetryAfter
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.messages import TelegramCall

log = logging.getLogger(__name__)

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


def telegram_bot(config: TelegramConfig) -> Bot:
    """The aiogram client, pointed at ``config.api_url`` when one is set (tests, local servers)."""
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(config.api_url))
        if config.api_url
        else AiohttpSession()
    )
    return Bot(config.token, session=session)


class BotApiTransport:
    """Makes one ``TelegramCall``; raises ``RetryAfter``, ``RecipientUnreachable`` or
    ``DeliveryRefused`` as the outbound sender expects."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, recipient: str, call: TelegramCall) -> None:
        try:
            await self.request(call.method)
        except DeliveryRefused as refused:
            if NOT_MODIFIED in str(refused):
                return  # the same button pressed twice: the message already shows this
            if call.fallback is None:
                raise
            await self.request(call.fallback)

    async def request(self, method: TelegramMethod[Any]) -> None:
        """One Bot API request, Telegram's errors in the sender's terms."""
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
