"""The one HTTP app of ``budgetbot serve``: admin, health check and channel webhooks."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from bot.channels import Channel
from bot.runtime import Runtime
from web_admin.app import create_app


def build_app(runtime: Runtime, channels: Sequence[Channel] = ()) -> FastAPI:
    """The staff app with every channel's routes mounted."""
    settings = runtime.settings
    app = create_app(
        runtime.sessions,
        secret_key=settings.secret_key,
        https_only=settings.public_url.startswith("https://"),
        media_dir=settings.media_dir,
        public_url=settings.public_url,
        bot_username=settings.telegram_bot_username,
        default_locale=settings.default_locale,
        timezone=settings.timezone,
    )
    for channel in channels:
        channel.mount(app)
    return app
