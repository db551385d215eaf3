"""``budgetbot serve`` as a real process: Telegram long polling and the outbox, end to end.

The only fake is Telegram's Bot API server, on loopback in this test process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from budgeting.db import create_engine, session_factory
from budgeting.models import NotificationKind, Round
from budgeting.services.notifications import enqueue
from tests.bot.telegram.fake_bot_api import TOKEN, FakeBotAPI

BUDGETBOT = str(Path(sys.executable).parent / "budgetbot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(predicate, seconds: float = 30.0) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - polls what another process caused
            await asyncio.sleep(0.1)


async def test_serve_answers_telegram_and_delivers_the_outbox(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
    fake = FakeBotAPI()
    env = {
        **os.environ,
        "BUDGETBOT_DATABASE_URL": url,
        "BUDGETBOT_TELEGRAM_TOKEN": TOKEN,
        "BUDGETBOT_TELEGRAM_API_URL": await fake.start(),
        "BUDGETBOT_PORT": str(free_port()),
    }
    seeded = await asyncio.create_subprocess_exec(
        BUDGETBOT, "seed-demo", "--phase", "review", env=env, stdout=subprocess.DEVNULL
    )
    assert await seeded.wait() == 0
    server = await asyncio.create_subprocess_exec(
        BUDGETBOT, "serve", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        anna = fake.user(4242, "Anna", language_code="sv")
        fake.enqueue(fake.message_update(anna, "/start"))
        await wait_for(lambda: len(fake.bot_messages(4242)) >= 1)
        welcome = fake.bot_messages(4242)[0]["text"]
        assert "Välkommen" in welcome
        first = fake.bot_messages(4242)[0]
        fake.enqueue(fake.button_update(anna, first, "Svenska"))
        await wait_for(
            lambda: any("Medborgarbudget" in m.get("text", "") for m in fake.bot_messages(4242))
        )

        engine = create_engine(url)
        async with session_factory(engine)() as session, session.begin():
            round_id = await session.scalar(select(Round.id).where(Round.audience == "residents"))
            await enqueue(
                session,
                NotificationKind.BROADCAST,
                round_id=round_id,
                payload={"texts": {"sv": "Välkommen på medborgardialog i kväll!", "en": "x"}},
            )
        await engine.dispose()
        await wait_for(
            lambda: any("medborgardialog" in m.get("text", "") for m in fake.bot_messages(4242)),
            seconds=40,
        )
        await asyncio.sleep(6)  # another tick or two must not repeat it
        copies = [m for m in fake.bot_messages(4242) if "medborgardialog" in m.get("text", "")]
        assert len(copies) == 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(20):
                await server.wait()
        except TimeoutError:
            server.kill()
        await fake.stop()
