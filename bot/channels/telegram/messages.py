"""Replies as Telegram Bot API calls: plain text, inline keyboards, photos, edits in place.

Text is sent without ``parse_mode``, so whatever a participant wrote is shown as written
and can never become markup. Right-to-left replies get a RIGHT-TO-LEFT MARK in front of
every line that would otherwise start left-to-right (a number, ``#``, Latin text).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aiogram.methods import EditMessageText, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.types import Button, Reply

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
RLM = "\u200f"
PHOTO_REF = re.compile(r"^(https?://\S+|[A-Za-z0-9_-]{20,})$")
"""A Telegram file_id or an http(s) URL: what sendPhoto accepts as a string."""


@dataclass(frozen=True)
class TelegramCall:
    """One Bot API call; ``fallback`` is made instead if Telegram refuses ``method`` (400)."""

    method: TelegramMethod[Any]
    fallback: TelegramMethod[Any] | None = None


def telegram_calls(
    chat_id: int, replies: Sequence[Reply], edit_message_id: int | None = None
) -> list[TelegramCall]:
    """The calls that show ``replies`` in ``chat_id``.

    The first reply that ``replaces_previous`` edits ``edit_message_id`` (the message
    whose button was pressed) when it can; every other reply is a new message.
    """
    calls: list[TelegramCall] = []
    for reply in replies:
        if reply.replaces_previous and edit_message_id is not None:
            edit = edit_call(chat_id, edit_message_id, reply)
            if edit is not None:
                calls.append(edit)
                edit_message_id = None
                continue
        calls += message_calls(chat_id, reply)
    return calls


def edit_call(chat_id: int, message_id: int, reply: Reply) -> TelegramCall | None:
    """Edit a message in place, or None if the reply does not fit in one text message."""
    text = reply_text(reply)
    if reply.image or utf16_len(text) > TEXT_LIMIT:
        return None
    markup = keyboard(reply)
    return TelegramCall(
        EditMessageText(chat_id=chat_id, message_id=message_id, text=text, reply_markup=markup),
        fallback=SendMessage(chat_id=chat_id, text=text, reply_markup=markup),
    )


def message_calls(chat_id: int, reply: Reply) -> list[TelegramCall]:
    """A photo (captioned when the text fits) and/or text messages; buttons on the last one."""
    text = reply_text(reply)
    markup = keyboard(reply)
    calls: list[TelegramCall] = []
    if reply.image and PHOTO_REF.match(reply.image):
        if utf16_len(text) <= CAPTION_LIMIT:
            text_instead = SendMessage(chat_id=chat_id, text=text, reply_markup=markup)
            photo = SendPhoto(chat_id=chat_id, photo=reply.image, caption=text, reply_markup=markup)
            return [TelegramCall(photo, fallback=text_instead)]
        calls.append(TelegramCall(SendPhoto(chat_id=chat_id, photo=reply.image)))
    chunks = split_text(text)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        calls.append(
            TelegramCall(
                SendMessage(chat_id=chat_id, text=chunk, reply_markup=markup if last else None)
            )
        )
    return calls


def reply_text(reply: Reply) -> str:
    """The text to show; never empty (Telegram refuses empty messages)."""
    text = reply.text.strip() or "…"
    return right_to_left(text) if reply.rtl else text


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard; payloads go in callback_data."""
    return inline_keyboard(reply.buttons, reply.rtl) if reply.buttons else None


@lru_cache(maxsize=1024)
def inline_keyboard(
    button_rows: tuple[tuple[Button, ...], ...], rtl: bool
) -> InlineKeyboardMarkup | None:
    """Built once for each set of buttons (menus and steps show the same ones to everyone;
    aiogram's models cost more to build than the rest of a reply). Never changed after."""
    rows = []
    for row in button_rows:
        buttons = []
        for button in row:
            if len(button.payload.encode()) > CALLBACK_DATA_LIMIT or not button.payload:
                log.warning("button left out: payload is empty or over 64 bytes")
                continue
            label = right_to_left(button.label) if rtl else button.label
            buttons.append(InlineKeyboardButton(text=label, callback_data=button.payload))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def right_to_left(text: str) -> str:
    """Mark every line that would start left-to-right so it reads right-to-left."""
    return "\n".join(
        RLM + line if line and not starts_rtl(line) else line for line in text.split("\n")
    )


def starts_rtl(line: str) -> bool:
    """True if ``line`` starts with a right-to-left letter (Arabic, Hebrew, ...)."""
    return unicodedata.bidirectional(line[0]) in ("R", "AL")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` UTF-16 units, at line breaks if possible."""
    chunks: list[str] = []
    while utf16_len(text) > limit:
        cut = _fit(text, limit)
        newline = text.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        chunks.append(text[:cut].rstrip("\n"))
        text = text[cut:]
    chunks.append(text)
    return [chunk for chunk in chunks if chunk] or ["…"]


def _fit(text: str, limit: int) -> int:
    """The longest prefix length of ``text`` within ``limit`` UTF-16 units."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)
