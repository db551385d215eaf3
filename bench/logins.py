"""Staff logins under load: does ``/healthz`` keep answering while argon2 works?

Run: .venv/bin/python bench/logins.py [--logins 50] [--waves 3] [--postgres URL]
     [--peer DIR]

Starts a real ``budgetbot serve`` (SQLite in a temporary directory, or the PostgreSQL
database given) with staff accounts hashed with the production argon2id parameters. A
separate process sends ``GET /healthz`` every 20 ms (timed from when each was due, so a
stall counts for every request it held up), first for a few seconds with nothing else
going on (the baseline), then while waves of N logins are sent at once, half with the
right password and half with a wrong one. The logins come through
``X-Forwarded-For`` from a trusted proxy (``BUDGETBOT_TRUSTED_PROXIES=127.0.0.1``), each
from its own address and never twice wrong for one account, so no login waits and every
one costs a real argon2 check. Printed: /healthz p50/p99/max without and during the
logins and the ratio, login latency p50/p99/max, and the answers counted.
Target: /healthz p99 < 100 ms during 50 concurrent logins.

``--peer DIR`` runs the same against another source tree of budgetbot (the code before
this change, e.g. ``git archive bc4f3ec | tar -x -C /tmp/before``), for comparison; that
code believed ``X-Forwarded-For`` from loopback through uvicorn's defaults, and one wrong
password per account stays below its lockout, so the load is the same.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import MetaData, Table  # noqa: E402

from bench.postgres import fresh_postgres  # noqa: E402
from budgeting.db import create_engine  # noqa: E402
from tests.fakes.crowd import stop_serve  # noqa: E402
from tests.fakes.process import BUDGETBOT, free_port  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGET_P99_MS = 100.0


def password_of(n: int) -> str:
    return f"lantern otter gravel {n:04d} quay"


def email_of(n: int) -> str:
    return f"officer{n}@sater.example"


HOST = "127.0.0.1"
PROBE_INTERVAL = 0.02
"""A /healthz request is due every 20 ms, whether the last one was answered or not."""


def poll_healthz(port: int, pipe: Connection) -> None:
    """In a process of its own: GET /healthz every ``PROBE_INTERVAL`` s, each on an idle
    keep-alive connection (a new one if none is idle), timed from when it was *due*, so
    a stalled server shows as many slow answers, not as one (no coordinated omission).
    On each "mark" from ``pipe`` send back the latencies (ms) of the requests made since
    the last mark, once all are answered; stop on "stop"."""
    asyncio.run(_probe(port, pipe))


async def _probe(port: int, pipe: Connection) -> None:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    samples: list[float] = []
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float) -> None:
        try:
            await ask(due)
        except (OSError, asyncio.IncompleteReadError):  # refused or reset: too many waiting
            samples.append(float("inf"))

    async def ask(due: float) -> None:
        for fresh in (False, True):
            if idle and not fresh:
                reader, writer = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionResetError):
                writer.close()  # the server had closed this idle connection: a new one
                if fresh:
                    raise
                continue
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            samples.append((time.perf_counter() - due) * 1000)
            idle.append((reader, writer))
            return

    due = time.perf_counter()
    while True:
        if pipe.poll():
            command = pipe.recv()
            await asyncio.gather(*tasks)  # what was asked before the mark counts before it
            pipe.send(samples)
            samples = []
            if command == "stop":
                return
        task = asyncio.create_task(one(due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        due += PROBE_INTERVAL
        await asyncio.sleep(max(0.0, due - time.perf_counter()))


def budgetbot(source: Path | None) -> tuple[list[str], dict[str, str]]:
    """The command that runs ``budgetbot`` from ``source`` (this tree if None), and its env."""
    if source is None:
        return [BUDGETBOT], {}
    code = "import sys; from bot.app.cli import main; sys.exit(main())"
    # -P: not the working directory first on sys.path, or this tree would be imported
    return [sys.executable, "-P", "-c", code], {"PYTHONPATH": str(source)}


async def seed_accounts(url: str, count: int, source: Path | None) -> None:
    """Migrate with ``source``'s migrations, then add ``count`` staff accounts (argon2id,
    production parameters) with plain INSERTs, which fit either schema."""
    command, extra = budgetbot(source)
    env = {**os.environ, **extra, "BUDGETBOT_DATABASE_URL": url}
    migrate = await asyncio.create_subprocess_exec(
        *command, "db", "upgrade", env=env, stdout=subprocess.DEVNULL
    )
    if await migrate.wait():
        raise SystemExit("budgetbot db upgrade failed")
    hasher = PasswordHasher()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            table = await conn.run_sync(
                lambda sync: Table("staff_users", MetaData(), autoload_with=sync)
            )
            now = datetime.now(UTC)
            rows = [
                {
                    "email": email_of(n),
                    "password_hash": hasher.hash(password_of(n)),
                    "role": "moderator",
                    "created_at": now,
                    **({"failed_logins": 0} if "failed_logins" in table.c else {}),
                }
                for n in range(count)
            ]
            await conn.execute(table.insert(), rows)
    finally:
        await engine.dispose()


async def wait_healthy(base: str, server: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if server.returncode is not None:
                raise SystemExit("budgetbot serve stopped before it answered")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("budgetbot serve did not answer /healthz within 30 s")


async def one_login(
    transport: httpx.AsyncHTTPTransport, base: str, account: int, n: int, wave: int, right: bool
) -> tuple[int, float]:
    """GET the form (cookie, CSRF token), then POST the password; (status, POST ms)."""
    address = {"X-Forwarded-For": f"10.{wave}.{n // 250}.{n % 250 + 1}"}
    # a client of its own (its cookies) on the shared transport, which it must not close
    client = httpx.AsyncClient(transport=transport, base_url=base, headers=address, timeout=120)
    form = await client.get("/admin/login")
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
    password = password_of(account) if right else f"wrong {wave} {n}"
    start = time.perf_counter()
    response = await client.post(
        "/admin/login",
        data={"csrf_token": token, "email": email_of(account), "password": password},
    )
    return response.status_code, (time.perf_counter() - start) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def summary(values: list[float]) -> str:
    """p50, p99 and max; a request that failed (connection refused or reset) counts as
    slower than any answer and is counted apart."""
    answered = [v for v in values if v != float("inf")]
    failed = len(values) - len(answered)
    return (
        f"p50 {percentile(values, 0.5):7.1f} ms  p99 {percentile(values, 0.99):7.1f} ms  "
        f"max {max(answered):7.1f} ms  ({len(values)} samples"
        + (f", {failed} not answered)" if failed else ")")
    )


async def run(
    url: str, logins: int, waves: int, baseline_seconds: float, source: Path | None = None
) -> bool:
    per_wave = (logins + 1) // 2  # each account: one right and one wrong password
    accounts = per_wave * waves
    print(f"seeding {accounts} staff accounts (argon2id, production parameters) ...", flush=True)
    await seed_accounts(url, accounts, source)
    port = free_port()
    command, extra = budgetbot(source)
    env = {
        **os.environ,
        **extra,
        "BUDGETBOT_DATABASE_URL": url,
        "BUDGETBOT_PORT": str(port),
        "BUDGETBOT_SECRET_KEY": "bench secret key",
        "BUDGETBOT_TRUSTED_PROXIES": "127.0.0.1",
    }
    for name in ("BUDGETBOT_TELEGRAM_TOKEN", "BUDGETBOT_TEAMS_APP_ID"):
        env.pop(name, None)
    base = f"http://127.0.0.1:{port}"
    server = await asyncio.create_subprocess_exec(
        *command, "serve", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ours, theirs = multiprocessing.Pipe()
    poller = multiprocessing.Process(target=poll_healthz, args=(port, theirs), daemon=True)
    try:
        await wait_healthy(base, server)
        poller.start()
        await asyncio.sleep(baseline_seconds)
        ours.send("mark")
        baseline = ours.recv()
        during: list[float] = []
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=None))
        for wave in range(waves):
            started = time.perf_counter()
            results = await asyncio.gather(
                *(
                    one_login(transport, base, wave * per_wave + n // 2, n, wave, n % 2 == 0)
                    for n in range(logins)
                )
            )
            seconds = time.perf_counter() - started
            ours.send("mark")
            during += ours.recv()
            for status, ms in results:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(ms)
            print(f"  wave {wave + 1}: {logins} logins in {seconds:.2f} s", flush=True)
            await asyncio.sleep(0.5)
            ours.send("mark")
            ours.recv()  # the pause between waves is not measured
        ours.send("stop")
        ours.recv()
        await transport.aclose()
    finally:
        if poller.is_alive():
            poller.terminate()
        await stop_serve(server)
    p99_base, p99_load = percentile(baseline, 0.99), percentile(during, 0.99)
    print()
    print(f"/healthz alone           {summary(baseline)}")
    print(f"/healthz during logins   {summary(during)}")
    print(f"  p99 ratio during/alone {p99_load / p99_base:7.1f}x")
    print(f"login POST               {summary(latencies)}")
    expected = {303: waves * per_wave, 401: waves * (logins // 2)}
    print(f"  answers {dict(sorted(statuses.items()))} (expected {expected})")
    met = p99_load < TARGET_P99_MS and statuses == expected
    print(
        f"target: /healthz p99 < {TARGET_P99_MS:.0f} ms during {logins} concurrent logins: "
        f"{'met' if met else 'MISSED'}"
    )
    print(f"  (mean login {statistics.fmean(latencies):.0f} ms with {logins} at once)")
    return met


async def main(args: argparse.Namespace) -> int:
    met = True
    sources: list[tuple[str, Path | None]] = [("this code", None)]
    if args.peer:
        sources.append((f"peer {args.peer}", args.peer))
    for label, source in sources:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
            print(f"\nSQLite, {label}:")
            ok = await run(url, args.logins, args.waves, args.baseline, source)
            met &= ok or source is not None
        if args.postgres:
            pg = await fresh_postgres(args.postgres)
            if pg is not None:
                print(f"\nPostgreSQL, {label}:")
                ok = await run(pg, args.logins, args.waves, args.baseline, source)
                met &= ok or source is not None
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=50, help="logins sent at once per wave")
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--baseline", type=float, default=3.0, help="seconds of /healthz alone")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (emptied)")
    parser.add_argument(
        "--peer", type=lambda p: Path(p).resolve(), help="also run this source tree (old code)"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
