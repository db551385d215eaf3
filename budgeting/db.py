"""Database engine and sessions (SQLAlchemy 2 async): SQLite with WAL, or PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from budgeting.remembered_reads import BudgetSession


def is_sqlite(url: str) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a statement waits for another connection's write lock before it fails."""


class InlineSQLite(aiosqlite.Connection):
    """An aiosqlite connection that runs each call at once, on the event loop's thread.

    aiosqlite hands every call to a thread of its own and waits for the answer: for the
    small statements of a chat turn, that hop costs more than SQLite's work. SQLite's
    own busy handler would block the event loop (and with it the connection holding the
    lock, if it is in this process), so the connection is opened with no busy timeout
    and a call that finds the database locked is tried again after an asynchronous
    pause, up to ``SQLITE_BUSY_TIMEOUT``. A locked SQLite statement has done nothing
    yet, and Python's sqlite3 begins a transaction only at its first write, which takes
    the lock at once, so trying again is safe.
    """

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)

    def __await__(self):  # type: ignore[no-untyped-def]
        return self._connect().__await__()

    async def _connect(self) -> InlineSQLite:
        if self._connection is None:
            self._connection = await self._execute_locked(self._connector)
        return self

    async def _execute(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return await self._execute_locked(fn, *args, **kwargs)

    @staticmethod
    async def _execute_locked(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        deadline, pause = time.monotonic() + SQLITE_BUSY_TIMEOUT, 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine; SQLite gets WAL, foreign keys and inline execution."""
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True)

    async def connect() -> InlineSQLite:
        args, kwargs = engine.sync_engine.dialect.create_connect_args(make_url(url))
        kwargs.update(timeout=0, check_same_thread=False)
        return await InlineSQLite(lambda: sqlite3.connect(*args, **kwargs))

    engine = create_async_engine(url, async_creator=connect)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def upsert(session: AsyncSession, table: Any) -> Insert:
    """An INSERT that can take ``.on_conflict_do_nothing()`` on SQLite and PostgreSQL alike."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=BudgetSession)
