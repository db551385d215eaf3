"""The one place that wires settings, database, dialog engine, channels and the HTTP app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.contract import Channel, TurnHandler
from budgeting.db import create_engine, session_factory
from budgeting.migrate import upgrade_async
from budgeting.services.reachability import Reachability
from budgeting.settings import Settings
from dialogs.engine import DEFAULT_AUDIENCES, DialogEngine
from dialogs.flows import all_routers
from web_admin.app import create_app

if TYPE_CHECKING:
    from bot.channels.teams.channel import TeamsChannel
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.config import TelegramConfig


@dataclass
class Runtime:
    """Live objects shared by the channels, the HTTP app and the CLI."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    dialogs: DialogEngine

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()


async def open_runtime(settings: Settings, migrate: bool = True) -> Runtime:
    """Migrate the database (by default) and build the runtime, with every flow's router."""
    if migrate:
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    dialogs = DialogEngine(sessions, audiences_for(settings), routers=all_routers())
    return Runtime(settings, engine, sessions, dialogs)


def audiences_for(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Which rounds each channel offers: Teams only employees' unless staff allow residents'."""
    audiences = dict(DEFAULT_AUDIENCES)
    if settings.teams_resident_rounds:
        audiences["teams"] = ("employees", "residents")
    return audiences


def configured_channels(runtime: Runtime) -> list[Channel]:
    """The channels the settings ask for (none needs a token for the demo)."""
    from bot.channels.teams.auth import teams_enabled
    from bot.channels.telegram.config import TelegramConfig

    settings, turns = runtime.settings, runtime.dialogs.handle
    channels: list[Channel] = []
    telegram = TelegramConfig.from_settings(settings)
    if telegram is not None:
        channels.append(telegram_channel(telegram, turns, runtime.sessions))
    if teams_enabled(settings):
        channels.append(teams_channel(settings, turns, runtime.sessions))
    return channels


def telegram_channel(
    config: TelegramConfig, turns: TurnHandler, sessions: async_sessionmaker[AsyncSession]
) -> TelegramChannel:
    """Telegram with a turn handler; a chat that blocks the bot is recorded in the database."""
    from bot.channels.telegram.channel import TelegramChannel, build_telegram

    reachability = Reachability(sessions, TelegramChannel.name)
    return build_telegram(config, turns, reachability.unreachable)


def teams_channel(
    settings: Settings, turns: TurnHandler, sessions: async_sessionmaker[AsyncSession]
) -> TeamsChannel:
    """Teams with a turn handler; conversation references are kept in the database."""
    from bot.channels.teams.auth import TeamsConfig
    from bot.channels.teams.channel import TeamsChannel

    config = TeamsConfig.from_settings(settings)
    return TeamsChannel(config, turns, Reachability(sessions, TeamsChannel.name))


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
