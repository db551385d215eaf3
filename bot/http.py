"""The one HTTP app of ``budgetbot serve``: admin, health check and channel webhooks."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from bot.channels import Channel
from bot.runtime import Runtime
from web_admin.app import create_app


def build_app(runtime: Runtime, channels: Sequence[Channel] = ()) -> FastAPI:
    """The staff app with every channel's routes mounted."""
    app = create_app(runtime.sessions)
    for channel in channels:
        channel.mount(app)
    return app
