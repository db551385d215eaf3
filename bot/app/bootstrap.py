"""The one place that wires settings, database, dialog engine, channels and the HTTP app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.contract import Channel, Guards, TurnHandler
from bot.delivery.replies import ReplyOutbox
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
    replies: ReplyOutbox
    """Turn replies stored with each turn until a channel took them."""

    async def close(self) -> None:
        """Free the reply leases, release the database connections."""
        await self.replies.close()
        await self.engine.dispose()


async def open_runtime(settings: Settings, migrate: bool = True) -> Runtime:
    """Migrate the database (by default) and build the runtime, with every flow's router."""
    if migrate:
        await upgrade_async(settings.database_url)
    return runtime_on(settings, session_factory(create_engine(settings.database_url)))


def runtime_on(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Runtime:
    """The runtime on these database sessions: the dialog engine stores every turn's
    replies for the reply outbox, which sends them with at most ``outbox_concurrency``
    unrecorded at a time."""
    replies = ReplyOutbox(
        sessions,
        concurrency=settings.outbox_concurrency,
        lease=timedelta(seconds=settings.reply_lease_seconds),
    )
    dialogs = DialogEngine(
        sessions,
        audiences_for(settings),
        routers=all_routers(),
        reply_holder=replies.holder,
        public_url=settings.public_url,
    )
    return Runtime(settings, sessions.kw["bind"], sessions, dialogs, replies)


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
    guards = runtime.replies.guard
    channels: list[Channel] = []
    telegram = TelegramConfig.from_settings(settings)
    if telegram is not None:
        reachability = Reachability(sessions, "telegram")
        channels.append(telegram_channel(telegram, turns, reachability, guards))
    if teams_enabled(settings):
        channels.append(teams_channel(settings, turns, Reachability(sessions, "teams"), guards))
    return channels


def telegram_channel(
    config: TelegramConfig,
    turns: TurnHandler,
    reachability: Reachability | None = None,
    guards: Guards | None = None,
) -> TelegramChannel:
    """Telegram with its turn handler and its reply sink: the rate-limited outbound sender
    on the Bot API, which records a chat that blocks the bot (with ``reachability``) and
    each call Telegram took of a turn's stored replies (with ``guards``)."""
    from bot.channels.pacing import Outbound
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.replies import TelegramReplies
    from bot.channels.telegram.transport import BotApiTransport, telegram_bot

    bot = telegram_bot(config)
    on_unreachable = reachability.unreachable if reachability is not None else None
    outbound = Outbound(BotApiTransport(bot), config.limits, on_unreachable)
    return TelegramChannel(config, bot, turns, TelegramReplies(outbound, bot, guards))


def teams_channel(
    settings: Settings,
    turns: TurnHandler,
    reachability: Reachability,
    guards: Guards | None = None,
) -> TeamsChannel:
    """Teams with its turn handler, its conversation references, the pacer of its
    proactive messages (turn replies go back in the turn itself) and, with ``guards``,
    turn replies kept until Teams took them."""
    from bot.channels.pacing import RateLimiter
    from bot.channels.teams.auth import TeamsConfig
    from bot.channels.teams.channel import TEAMS_LIMITS, TeamsChannel

    config = TeamsConfig.from_settings(settings)
    return TeamsChannel(config, turns, reachability, RateLimiter(TEAMS_LIMITS), guards)


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
        letter_font=settings.letter_font,
        default_locale=settings.default_locale,
        timezone=settings.timezone,
        trusted_proxies=settings.trusted_proxies,
    )
    for channel in channels:
        channel.mount(app)
    return app
