"""The one place that wires settings, database and dialog engine together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from budgeting.db import create_engine, session_factory
from budgeting.migrate import upgrade_async
from budgeting.settings import Settings
from dialogs.engine import DEFAULT_AUDIENCES, DialogEngine


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
    """Migrate the database (by default) and build the runtime."""
    if migrate:
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    return Runtime(settings, engine, sessions, DialogEngine(sessions, audiences_for(settings)))


def audiences_for(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Which rounds each channel offers: Teams only employees' unless staff allow residents'."""
    audiences = dict(DEFAULT_AUDIENCES)
    if settings.teams_resident_rounds:
        audiences["teams"] = ("employees", "residents")
    return audiences
