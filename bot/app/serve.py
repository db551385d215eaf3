"""``budgetbot serve``: the HTTP app, every configured channel and the outbox scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import uvicorn

from bot.app.bootstrap import build_app, configured_channels, open_runtime
from bot.channels.console import ConsoleChannel
from bot.delivery.scheduler import start_scheduler
from bot.delivery.worker import OutboxWorker
from budgeting import similarity
from budgeting.settings import Settings

log = logging.getLogger(__name__)


def run_server(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop where it exists (not on Windows), else on asyncio's loop.

    uvloop's event loop costs a fraction of asyncio's per request and per database call;
    uvicorn picks httptools' HTTP parser by itself when it is installed.
    """
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


UNSET_SECRET_KEYS = ("", "change-me")


def missing_secret_key(settings: Settings) -> str | None:
    """Why ``serve`` must not start without ``BUDGETBOT_SECRET_KEY``, or None.

    Behind https or on PostgreSQL several workers may serve one round: each would draw a
    key of its own, and a login form (its token is in the signed preferences cookie)
    fetched from one worker would be refused by another. The demo and a local SQLite
    ``serve`` work without one.
    """
    if settings.secret_key not in UNSET_SECRET_KEYS:
        return None
    if settings.public_url.startswith("https://"):
        where = "BUDGETBOT_PUBLIC_URL is https"
    elif settings.database_url.startswith("postgresql"):
        where = "the database is PostgreSQL"
    else:
        return None
    return (
        f"budgetbot serve: set BUDGETBOT_SECRET_KEY ({where}: every worker must sign the "
        "staff's login form and preferences with the same key)"
    )


def settle_heap() -> None:
    """Exempt what startup built from the garbage collector's full collections.

    Modules, pydantic schemas, ORM mappers and the app live as long as the process:
    a few hundred thousand objects that every full collection walks through again
    (over 200 ms each time, seen in bench/telegram_throughput.py, a pause for every
    update under way). Frozen, they are skipped; what is made later is collected as
    usual. Call once the app is built, just before serving.
    """
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, console: ConsoleChannel | None = None) -> None:
    """Run until stopped, or until the console chat ends when there is one (the demo)."""
    runtime = await open_runtime(settings)
    channels = configured_channels(runtime)
    if console is not None:
        console.turns = runtime.dialogs.handle
        channels.append(console)
    app = build_app(runtime, channels)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            proxy_headers=False,  # the app decides, from BUDGETBOT_TRUSTED_PROXIES
        )
    )
    for channel in channels:
        await channel.connect()
    worker = OutboxWorker(
        runtime.sessions,
        {c.name: c for c in channels},
        default_timezone=settings.timezone,
        concurrency=settings.outbox_concurrency,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    scheduler = start_scheduler(worker, settings.outbox_tick_seconds)
    listeners = [asyncio.create_task(c.listen()) for c in channels if c is not console]
    listeners.append(asyncio.create_task(runtime.replies.run({c.name: c for c in channels})))
    settle_heap()
    warm_up = asyncio.create_task(asyncio.to_thread(similarity.preload))
    try:
        if console is None:
            await server.serve()
            return
        server_task = asyncio.create_task(server.serve())
        print(f"Admin and health check on http://{settings.host}:{settings.port}/healthz")
        await console.listen()
        server.should_exit = True
        await server_task
    finally:
        warm_up.cancel()
        scheduler.shutdown(wait=False)
        for task in listeners:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for channel in channels:
            await channel.disconnect()
        await runtime.close()
