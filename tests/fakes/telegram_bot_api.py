"""A fake Telegram Bot API server on loopback: the real aiogram client talks HTTP to it.

It keeps chats and messages like Telegram does, answers with real Bot API JSON
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``),
enforces rate limits with 429 + ``retry_after``, answers 403 for residents who blocked
the bot, and records every call. It also plays the residents: it builds the Update
JSON of their messages, photos and button presses, and serves them by ``getUpdates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Budgetbot",
    "username": "budgetbot_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MESSAGE_METHODS = {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
"""Calls that count against the message limits."""
TEXT_FIELDS = {
    "text",
    "caption",
    "photo",
    "callback_query_id",
    "url",
    "secret_token",
    "parse_mode",
    "language_code",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Window:
    """At most ``count`` messages in any ``seconds`` long window."""

    count: int
    seconds: float


@dataclass
class Limits:
    """The limits the fake enforces; None: unlimited."""

    overall: Window | None = None
    per_chat: Window | None = None


@dataclass
class Call:
    """One recorded request and what the fake answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    result: Any = None
    via: str = "request"
    """"request", or "webhook reply" for a call put in a webhook response body."""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        chat = self.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def labels(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeBotAPI:
    """Telegram's side of the conversation."""

    limits: Limits = field(default_factory=Limits)
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    commands: dict[str | None, list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    files: set[str] = field(default_factory=set)
    callbacks: dict[str, bool] = field(default_factory=dict)
    confirmed: int = 0
    """Every update with a smaller id was confirmed by a getUpdates offset."""
    down: bool = False
    """Telegram has an outage: every message method answers 502 Bad Gateway."""

    def __post_init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._confirmed = asyncio.Condition()
        self._update_ids = itertools.count(700_000_001)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._sent: deque[float] = deque()
        self._sent_per_chat: dict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- server ------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL for aiogram."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._new_update.set()  # end any long poll still waiting
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            error = ApiError(401, "Unauthorized")
            return web.json_response(error.body(), status=error.code)
        code, body = await self.call(request.match_info["method"], await _params(request))
        return web.json_response(body, status=code)

    async def webhook_reply(self, body: dict[str, Any]) -> None:
        """Make the call a bot put in its webhook response, as Telegram does."""
        params = dict(body)
        await self.call(params.pop("method"), params, via="webhook reply")

    async def call(
        self, method: str, params: dict[str, Any], via: str = "request"
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API method and record it; (HTTP status, response body)."""
        now = time.monotonic()
        try:
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            if method in MESSAGE_METHODS:
                if self.down:
                    raise ApiError(502, "Bad Gateway")
                self._check_limits(int(params["chat_id"]), now)
            result = await handler(params)
        except ApiError as error:
            self.calls.append(Call(method, params, now, error.code, error.body(), via))
            return error.code, error.body()
        self.calls.append(Call(method, params, now, 200, result, via))
        return 200, {"ok": True, "result": result}

    def _check_limits(self, chat_id: int, now: float) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        checks = [(self.limits.overall, self._sent), (self.limits.per_chat, None)]
        for window, sent in checks:
            if window is None:
                continue
            sent = sent if sent is not None else self._sent_per_chat[chat_id]
            while sent and sent[0] <= now - window.seconds:
                sent.popleft()
            if len(sent) >= window.count:
                wait = max(1, math.ceil(sent[0] + window.seconds - now))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        self._sent.append(now)
        self._sent_per_chat[chat_id].append(now)

    # -- the residents -----------------------------------------------------------------

    def user(self, user_id: int, first_name: str, language_code: str | None = "en") -> dict:
        """A Telegram user who has opened a private chat with the bot."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def message_update(
        self,
        user: dict[str, Any],
        text: str | None = None,
        photo: list[dict[str, Any]] | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The Update of a resident's message (text, or a photo with an optional caption)."""
        message = self._message(user["id"], sender=user)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(" ", 1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if photo is not None:
            message["photo"] = photo
        if caption is not None:
            message["caption"] = caption
        return {"update_id": next(self._update_ids), "message": message}

    def photo_sizes(self) -> list[dict[str, Any]]:
        """A photo as Telegram stores it: three sizes, smallest first."""
        sizes = []
        for width, height in ((90, 67), (320, 240), (1280, 960)):
            file_id = "AgACAgQAAxkBAAI" + secrets.token_urlsafe(40)
            self.files.add(file_id)
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": "AQAD" + secrets.token_urlsafe(8),
                    "width": width,
                    "height": height,
                    "file_size": width * height // 10,
                }
            )
        return sizes

    def button_update(
        self, user: dict[str, Any], message: dict[str, Any], label: str
    ) -> dict[str, Any]:
        """The Update of a resident pressing the button labelled ``label`` on ``message``."""
        data = next(
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if label in b["text"]
        )
        query_id = str(secrets.randbits(62))
        self.callbacks[query_id] = False
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": "-1234567890123456789",
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def enqueue(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates."""
        self._pending.append(update)
        self._new_update.set()

    async def wait_confirmed(self, update_id: int) -> None:
        """Wait (up to 10 s) until a getUpdates offset confirmed ``update_id`` (it was handled)."""
        async with asyncio.timeout(10), self._confirmed:
            await self._confirmed.wait_for(lambda: self.confirmed > update_id)

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they look now (after edits), oldest first."""
        return [
            m
            for (chat, _), m in sorted(self.messages.items())
            if chat == chat_id and m["from"]["is_bot"]
        ]

    def _message(self, chat_id: int, sender: dict[str, Any]) -> dict[str, Any]:
        user = self.users[chat_id]
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    # -- Bot API methods ---------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            async with self._confirmed:
                self.confirmed = max(self.confirmed, offset)
                self._confirmed.notify_all()
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if not self._pending and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return self._pending[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        message = self._message(int(params["chat_id"]), sender=BOT_USER)
        message["text"] = text
        return self._with_markup(message, params)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = params.get("photo") or ""
        if photo not in self.files and not photo.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        if caption and _utf16(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message = self._message(int(params["chat_id"]), sender=BOT_USER)
        message["photo"] = [
            {"file_id": photo, "file_unique_id": "AQADfake", "width": 1280, "height": 960}
        ]
        if caption:
            message["caption"] = caption
        return self._with_markup(message, params)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None or not message["from"]["is_bot"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if message["text"] == params.get("text") and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        return self._with_markup(message, params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self.callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callbacks[query_id] = True
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") != "default":
            raise ApiError(400, "Bad Request: unsupported scope in this fake")
        for command in params["commands"]:
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        self.commands[params.get("language_code")] = params["commands"]
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _with_markup(self, message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data", "")
                    if not data or len(data.encode()) > 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
        return message


async def _params(request: web.Request) -> dict[str, Any]:
    """The request's parameters: form fields (JSON-encoded where structured) or a JSON body."""
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str) or key in TEXT_FIELDS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
