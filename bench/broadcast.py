"""Broadcast throughput: a staff broadcast to N residents through ``budgetbot serve``.

Run: .venv/bin/python bench/broadcast.py [--postgres URL | --no-postgres]
     [--runs 30:900,300:6000]

Each run seeds the demo round plus N Telegram residents, starts ``budgetbot serve`` as
a child process (the same outbox, outbox worker and sender as production) against a fake
Bot API in this process that enforces an overall limit of L messages in any second
with 429s, enqueues one broadcast and waits until every resident is recorded. The
sender is told the same L (``BUDGETBOT_TELEGRAM_MESSAGES_PER_SECOND``): L=30 is
Telegram's real limit, a larger L is the same pacing code time-compressed. Printed per
run: messages/s between the first and the last accepted send, its share of L, 429s,
duplicates (chats with more than one copy) and losses (chats with none).
Target: at least 95% of L, zero 429s, zero duplicates, zero losses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import fresh_postgres  # noqa: E402
from tests.fakes.crowd import (  # noqa: E402
    copies,
    enqueue_broadcast,
    outbox_state,
    refused,
    seed_crowd,
    seed_demo,
    serve_env,
    start_serve,
    stop_serve,
    wait_done,
    wait_for,
)
from tests.fakes.telegram_bot_api import FakeBotAPI, Limits, Window  # noqa: E402

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_broadcast"
MARKER = "bench"


@dataclass
class Run:
    """What one broadcast achieved."""

    database: str
    limit: int
    recipients: int
    seconds: float
    rate: float
    too_many: int
    duplicates: int
    losses: int

    @property
    def share(self) -> float:
        return self.rate / self.limit

    @property
    def met(self) -> bool:
        return self.share >= 0.95 and not (self.too_many or self.duplicates or self.losses)


async def broadcast(database: str, url: str, limit: int, recipients: int) -> Run:
    """One broadcast of ``recipients`` messages against a fake enforcing ``limit``/s."""
    fake = FakeBotAPI(limits=Limits(overall=Window(limit, 1.0), per_chat=Window(1, 1.0)))
    env = serve_env(
        url, await fake.start(), telegram_messages_per_second=str(limit), outbox_tick_seconds="1"
    )
    server = None
    try:
        await seed_demo(env)
        chats = await seed_crowd(url, fake, recipients)
        notification_id = await enqueue_broadcast(url, MARKER)
        server = await start_serve(env)
        with contextlib.suppress(TimeoutError):
            await wait_for(
                lambda: len(copies(fake, MARKER)) >= recipients,
                seconds=recipients / limit * 2 + 30,
                every=1.0,
            )
            await wait_done(url, notification_id)
    finally:
        if server is not None:
            await stop_serve(server)
        await fake.stop()
    sends = sorted(
        call.at
        for call in fake.calls
        if call.ok and call.method == "sendMessage" and MARKER in call.text
    )
    seconds = sends[-1] - sends[0] if len(sends) > 1 else 0.0
    received = copies(fake, MARKER)
    status, recorded = await outbox_state(url, notification_id)
    print(f"  {database}, L={limit}/s: outbox {status}, {recorded:,} deliveries", flush=True)
    return Run(
        database=database,
        limit=limit,
        recipients=recipients,
        seconds=seconds,
        rate=(len(sends) - 1) / seconds if seconds else 0.0,
        too_many=refused(fake),
        duplicates=sum(1 for chat in chats if received[chat] > 1),
        losses=sum(1 for chat in chats if received[chat] == 0),
    )


def report(runs: list[Run]) -> None:
    print()
    print(
        f"{'database':<11}{'limit/s':>8}{'recipients':>11}{'seconds':>9}{'msgs/s':>9}"
        f"{'of limit':>9}{'429s':>6}{'dupl.':>6}{'lost':>6}  target"
    )
    for run in runs:
        print(
            f"{run.database:<11}{run.limit:>8}{run.recipients:>11,}{run.seconds:>9.1f}"
            f"{run.rate:>9.1f}{run.share:>9.1%}{run.too_many:>6}{run.duplicates:>6}"
            f"{run.losses:>6}  {'met' if run.met else 'MISSED'}"
        )
    print("target: >= 95% of the limit, 0 429s, 0 duplicates, 0 losses")


def parse_runs(text: str) -> list[tuple[int, int]]:
    """ "30:900,300:6000" -> [(30, 900), (300, 6000)] (limit per second : recipients)."""
    pairs = [part.split(":") for part in text.split(",") if part]
    return [(int(limit), int(recipients)) for limit, recipients in pairs]


async def main(args: argparse.Namespace) -> None:
    runs = []
    for limit, recipients in parse_runs(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/broadcast.sqlite3"
            runs.append(await broadcast("SQLite", url, limit, recipients))
        if not args.no_postgres and (url := await fresh_postgres(args.postgres)):
            runs.append(await broadcast("PostgreSQL", url, limit, recipients))
    report(runs)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        default="30:900,300:6000",
        help="limit/s:recipients pairs (30 is Telegram's real limit; more is time-compressed)",
    )
    parser.add_argument("--postgres", default=PG_DEFAULT, help="a database the bench may wipe")
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
