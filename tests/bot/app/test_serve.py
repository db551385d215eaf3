"""``budgetbot serve`` as a real process: Telegram long polling and the outbox, end to end.

The only fake is Telegram's Bot API server, on loopback in this test process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select, update

from budgeting.db import create_engine, session_factory
from budgeting.models import NotificationKind, Participant, Round
from budgeting.services.notifications import enqueue
from tests.fakes.crowd import build_rounds, serve_env, start_serve, stop_serve, wait_for
from tests.fakes.telegram_bot_api import FakeBotAPI


async def test_serve_answers_telegram_and_delivers_the_outbox(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}"
    fake = FakeBotAPI()
    env = serve_env(url, await fake.start())
    await build_rounds(url)
    server = await start_serve(env)
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
            # no quiet hours for Anna: the test may run at night (they have tests of their own)
            await session.execute(
                update(Participant).values(quiet_start="00:00", quiet_end="00:00")
            )
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
        await stop_serve(server)
        await fake.stop()
