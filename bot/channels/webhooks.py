"""Webhook routes answered ahead of the staff app: a channel's updates skip its middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_WEBHOOK_BODY = 1024 * 1024
"""The largest update a channel accepts (1 MB; Telegram's and Teams' are a few KB)."""


class BodyTooLarge(Exception):
    """A body without ``Content-Length`` streamed past its webhook's limit."""


class Webhook:
    """One channel's webhook, answered ahead of the admin's middleware and routes.

    Telegram posts every update of every resident here, so the staff app's session
    cookies, security headers and route table are skipped: they are no use to a bot
    server and cost more than a whole update's aiogram processing. A body over
    ``max_body`` bytes is refused with 413 before the endpoint reads it.
    """

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        endpoint: Callable[[Request], Awaitable[Response]],
        max_body: int = MAX_WEBHOOK_BODY,
    ) -> None:
        self.app = app
        self.path = path
        self.endpoint = request_response(endpoint)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
        elif scope["method"] != "POST":
            await Response(status_code=405, headers={"Allow": "POST"})(scope, receive, send)
        else:
            length = declared_length(scope)
            if length is None:
                await self.counted(scope, receive, send)
            elif length > self.max_body:
                await too_large(scope, receive, send)
            else:  # the server delivers no more than the declared length
                await self.endpoint(scope, receive, send)

    async def counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the endpoint on a ``receive`` that stops once the body passes the limit."""
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise BodyTooLarge
            return message

        try:
            await self.endpoint(scope, limited_receive, send)
        except BodyTooLarge:  # the endpoints read the whole body before they answer
            await too_large(scope, receive, send)


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when absent or unreadable (chunked)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer 413 and close the connection (the rest of the body is never read)."""
    response = PlainTextResponse(
        "Request body too large", status_code=413, headers={"Connection": "close"}
    )
    await response(scope, receive, send)
