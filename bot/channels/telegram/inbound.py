"""Residents' Telegram updates as Incoming events: the aiogram router of the channel.

Only private chats are served; group messages, button presses in groups and channels,
edits and other kinds of update are ignored. The handlers get the turn handler
(``turns``) and the reply sink (``replies``) through the dispatcher's workflow data;
they never see the channel object.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Message, Update

from bot.channels.contract import TurnHandler
from bot.channels.telegram.config import CHANNEL
from bot.channels.telegram.replies import TelegramReplies
from dialogs.types import Incoming


def incoming_from_message(message: Message, update_id: int) -> Incoming:
    """A resident's message: text, a command, or a photo (its largest size) with a caption."""
    user = message.from_user
    assert user is not None
    photo = None
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size))
        photo = largest.file_id
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.id),
        text=message.text if message.text is not None else message.caption,
        photo=photo,
        display_name=user.first_name,
        locale_hint=user.language_code,
        supports_photos=True,
        update_key=str(update_id),
    )


def incoming_from_button(query: CallbackQuery, update_id: int) -> Incoming:
    """A pressed inline button: its callback_data is the payload; the reply that replaces
    the pressed message edits it (its id is where the replies go)."""
    user = query.from_user
    pressed = pressed_message(query)
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.id),
        payload=query.data or "",
        display_name=user.first_name,
        locale_hint=user.language_code,
        supports_photos=True,
        update_key=str(update_id),
        reply_address={"edit": pressed.message_id} if pressed is not None else {},
    )


def pressed_message(query: CallbackQuery) -> Message | None:
    """The message whose button was pressed, if Telegram still has it."""
    return query.message if isinstance(query.message, Message) else None


async def forward_message(
    message: Message, event_update: Update, turns: TurnHandler, replies: TelegramReplies
) -> None:
    """Pass a private message to the dialogs and queue the replies."""
    if message.from_user is None:
        return
    answer = await turns(incoming_from_message(message, event_update.update_id))
    replies.deliver(message.chat.id, answer, update_key=str(event_update.update_id))


async def forward_button(
    query: CallbackQuery,
    event_update: Update,
    turns: TurnHandler,
    replies: TelegramReplies,
    answer_in_webhook: bool,
) -> AnswerCallbackQuery | None:
    """Pass a pressed button to the dialogs; the callback query is always answered.

    In webhook mode the answer is returned, to go back in the webhook response (Telegram
    makes the call; no request of our own). The reply that replaces the pressed message
    edits it.
    """
    answer = AnswerCallbackQuery(callback_query_id=query.id)
    try:
        shown = await turns(incoming_from_button(query, event_update.update_id))
    except Exception:
        replies.call_in_background(answer)  # stop the button's spinner even so
        raise
    pressed = pressed_message(query)
    chat_id = pressed.chat.id if pressed is not None else query.from_user.id
    replies.deliver(
        chat_id,
        shown,
        pressed.message_id if pressed is not None else None,
        update_key=str(event_update.update_id),
    )
    if answer_in_webhook:
        return answer
    replies.call_in_background(answer)
    return None


async def private_chat(message: Message) -> bool:
    """Only private chats are served.

    A coroutine on purpose: aiogram runs a plain function filter (``F.chat.type == …``
    too) in a worker thread, a thread hop for every message.
    """
    return message.chat.type == ChatType.PRIVATE


async def pressed_in_private_chat(query: CallbackQuery) -> bool:
    """Only buttons of messages in private chats are served (a coroutine, as above)."""
    message = query.message
    return message is not None and message.chat.type == ChatType.PRIVATE


def residents_router() -> Router:
    """Private messages and button presses."""
    router = Router(name="residents")
    router.message.register(forward_message, private_chat)
    router.callback_query.register(forward_button, pressed_in_private_chat)
    return router


def sender_of(update: Update) -> int | None:
    """The Telegram user an update comes from (the key that keeps their updates in order)."""
    event = update.message or update.callback_query
    user = event.from_user if event is not None else None
    return user.id if user is not None else None


def language_of(update: Update) -> str | None:
    """The language the sender's Telegram app is set to."""
    event = update.message or update.callback_query
    user = event.from_user if event is not None else None
    return user.language_code if user is not None else None
