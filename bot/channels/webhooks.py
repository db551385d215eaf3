"""Webhook routes answered ahead of the staff app: a channel's updates skip its middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send


class Webhook:
    """One channel's webhook, answered ahead of the admin's middleware and routes.

    Telegram posts every update of every resident here, so the staff app's session
    cookies, security headers and route table are skipped: they are no use to a bot
    server and cost more than a whole update's aiogram processing.
    """

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        endpoint: Callable[[Request], Awaitable[Response]],
    ) -> None:
        self.app = app
        self.path = path
        self.endpoint = request_response(endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
        elif scope["method"] != "POST":
            await Response(status_code=405, headers={"Allow": "POST"})(scope, receive, send)
        else:
            await self.endpoint(scope, receive, send)
