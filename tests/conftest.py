"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when configured.

Set ``BUDGETBOT_TEST_POSTGRES_URL`` (``.ci/run`` does) to run every storage test on both.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.db import create_engine, session_factory
from budgeting.migrate import upgrade
from budgeting.models import Base

POSTGRES_URL = os.environ.get("BUDGETBOT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    """The PostgreSQL test database, emptied and migrated once per test session."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set BUDGETBOT_TEST_POSTGRES_URL")
        pytest.skip("PostgreSQL tests skipped: BUDGETBOT_TEST_POSTGRES_URL is not set")

    async def reset() -> None:
        engine = create_engine(POSTGRES_URL)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:  # fixtures may run inside an event loop
        pool.submit(asyncio.run, reset()).result()
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "budgetbot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on the test database."""
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()
