"""Request bodies refused with 413 above their route's limit, before anything parses them."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web_admin.media import MAX_PHOTO_BYTES
from web_admin.uploads import MAX_PABULIB_BYTES

STAFF_FORM_BYTES = 64 * 1024
"""Any staff form (login included): far above the longest text fields allowed."""
PHOTO_FORM_BYTES = MAX_PHOTO_BYTES + STAFF_FORM_BYTES
"""The implementation-update form: a photo at its largest plus the form's other fields."""
PHOTO_FORM_PATH = re.compile(r"/admin/proposals/[^/]+/updates")
"""``POST /admin/proposals/{proposal_id}/updates`` (routes/implementation.py)."""
PABULIB_FORM_BYTES = MAX_PABULIB_BYTES + STAFF_FORM_BYTES
"""The pabulib upload: a file at its largest plus the form's other fields."""
PABULIB_FORM_PATH = "/admin/imports/pabulib"
"""``POST /admin/imports/pabulib`` (routes/imports.py)."""


def staff_body_limit(path: str) -> int:
    """The largest body the admin accepts at ``path``."""
    if path == PABULIB_FORM_PATH:
        return PABULIB_FORM_BYTES
    return PHOTO_FORM_BYTES if PHOTO_FORM_PATH.fullmatch(path) else STAFF_FORM_BYTES


class BodyTooLarge(HTTPException):
    """The streamed body went past its limit (raised from ``receive``)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when absent or unreadable (chunked)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """Refuses with 413 any body over ``limit_for(path)`` bytes before the app reads it.

    A declared ``Content-Length`` over the limit is refused at once; a body without one
    is counted as it streams, and reading stops at the limit (``BodyTooLarge``).
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int] = staff_body_limit) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = declared_length(scope)
        if length is not None:
            if length > limit:
                await too_large(scope, receive, send)
            else:  # the server delivers no more than the declared length
                await self.app(scope, receive, send)
            return
        await self.counted(scope, receive, send, limit)

    async def counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app on a ``receive`` that raises once the body passes ``limit``."""
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(scope, receive, send)


async def too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer 413 and close the connection (the rest of the body is never read)."""
    response = PlainTextResponse(
        "Request body too large", status_code=413, headers={"Connection": "close"}
    )
    await response(scope, receive, send)
