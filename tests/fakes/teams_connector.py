"""A fake Bot Connector (Microsoft's side of a Teams conversation) on loopback.

It speaks the Bot Connector REST protocol the SDK's connector client uses: it records
``POST /v3/conversations/{id}/activities`` (and replies to an activity id) and
``PUT /v3/conversations/{id}/activities/{activity id}`` (updates), answering with ids.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Delivery:
    """One call the bot made to the connector."""

    method: str  # POST (new message) or PUT (update in place)
    conversation_id: str
    activity_id: str  # id given to a new message, or the id of the updated one
    activity: dict[str, Any]
    authorization: str | None


@dataclass
class FakeConnector:
    """Records what the bot sends; ``fail`` maps a conversation id to an HTTP error status."""

    deliveries: list[Delivery] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    fail_updates: set[str] = field(default_factory=set)
    """Conversations where updating a message fails (Teams: message too old, or deleted)."""
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._put)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        return await self._record(request, "POST", f"activity-{next(self._ids)}")

    async def _put(self, request: web.Request) -> web.Response:
        return await self._record(request, "PUT", request.match_info["aid"])

    async def _record(self, request: web.Request, method: str, activity_id: str) -> web.Response:
        conversation_id = request.match_info["cid"]
        status = self.fail.get(conversation_id)
        if method == "PUT" and conversation_id in self.fail_updates:
            status = 404
        if status:
            return web.json_response(
                {"error": {"code": "ConversationBlockedByUser", "message": "blocked"}},
                status=status,
            )
        self.deliveries.append(
            Delivery(
                method=method,
                conversation_id=conversation_id,
                activity_id=activity_id,
                activity=await request.json(),
                authorization=request.headers.get("Authorization"),
            )
        )
        return web.json_response({"id": activity_id})

    def to(self, conversation_id: str) -> list[Delivery]:
        """Everything sent to one conversation."""
        return [d for d in self.deliveries if d.conversation_id == conversation_id]
