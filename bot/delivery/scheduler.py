"""APScheduler only ticks the outbox worker; the truth is in the database."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery.worker import OutboxWorker


def start_scheduler(worker: OutboxWorker, seconds: float = 5.0) -> AsyncIOScheduler:
    """Tick the outbox worker every few seconds (never two ticks at once in a process)."""
    scheduler = AsyncIOScheduler()
    scheduler.add_job(
        worker.tick,
        "interval",
        seconds=seconds,
        max_instances=1,
        coalesce=True,
        id="outbox",
    )
    scheduler.start()
    return scheduler
