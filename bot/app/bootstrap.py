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

    settings, turns, sessions = runtime.settings, runtime.dialogs.handle, runtime.sessions
    channels: list[Channel] = []
    telegram = TelegramConfig.from_settings(settings)
    if telegram is not None:
        channels.append(telegram_channel(telegram, turns, Reachability(sessions, "telegram")))
    if teams_enabled(settings):
        channels.append(teams_channel(settings, turns, Reachability(sessions, "teams")))
    return channels


def telegram_channel(
    config: TelegramConfig, turns: TurnHandler, reachability: Reachability | None = None
) -> TelegramChannel:
    """Telegram with its turn handler and its reply sink: the rate-limited outbound sender
    on the Bot API, which records a chat that blocks the bot (with ``reachability``)."""
    from bot.channels.pacing import Outbound
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.replies import TelegramReplies
    from bot.channels.telegram.transport import BotApiTransport, telegram_bot

    bot = telegram_bot(config)
    on_unreachable = reachability.unreachable if reachability is not None else None
    outbound = Outbound(BotApiTransport(bot), config.limits, on_unreachable)
    return TelegramChannel(config, bot, turns, TelegramReplies(outbound, bot))


def teams_channel(
    settings: Settings, turns: TurnHandler, reachability: Reachability
) -> TeamsChannel:
    """Teams with its turn handler, its conversation references and the pacer of its
    proactive messages (turn replies go back in the turn itself)."""
    from bot.channels.pacing import RateLimiter
    from bot.channels.teams.auth import TeamsConfig
    from bot.channels.teams.channel import TEAMS_LIMITS, TeamsChannel

    config = TeamsConfig.from_settings(settings)
    return TeamsChannel(config, turns, reachability, RateLimiter(TEAMS_LIMITS))


def build_app(runtime: Runtime, channels: Sequence[Channel] = ()) -> FastAPI:
    """The staff app with every channel's routes mounted."""
    from web_admin.app import create_app  # the CLI's other commands need no web app

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
        trusted_proxies=settings.trusted_proxies,
    )
    for channel in channels:
        channel.mount(app)
    return app
