"""Two ``budgetbot serve`` processes on one database take one resident's Telegram updates
in turns, each update also delivered to the other one (as Telegram redelivers when it
did not see the 200): every update is handled once, in order, and each reply arrives once.
"""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import func, select

from budgeting.db import create_engine, session_factory
from budgeting.models import OutgoingReply, ProcessedUpdate, Proposal
from budgeting.phases import Phase
from tests.fakes.crowd import (
    WEBHOOK_SETTINGS,
    WebhookResidents,
    build_rounds,
    seed_crowd,
    serve_env,
    start_serve,
    stop_serve,
)
from tests.fakes.process import free_port
from tests.fakes.telegram_bot_api import FakeBotAPI

TITLE = "Benches along the river walk"
DESCRIPTION = "Ten benches between the bridge and the school, for older residents."
STEPS = [
    ("text", "/propose"),
    ("button", "propose:area:"),
    ("text", TITLE),
    ("text", DESCRIPTION),
    ("text", "45000"),
    ("button", "propose:skip_photo"),
    ("button", "propose:submit"),
]
"""A proposal from the first message to the submit button: each step needs the one before."""


async def read(database_url: str) -> tuple[list[Proposal], int, int]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            proposals = list((await session.scalars(select(Proposal))).all())
            processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
            waiting = await session.scalar(select(func.count()).select_from(OutgoingReply))
            return proposals, int(processed or 0), int(waiting or 0)
    finally:
        await engine.dispose()


async def test_two_workers_take_turns_with_one_residents_updates(database_url: str) -> None:
    fake = FakeBotAPI()
    first = serve_env(database_url, await fake.start(), **WEBHOOK_SETTINGS)
    second = {**first, "BUDGETBOT_PORT": str(free_port())}
    residents = WebhookResidents(
        fake, [f"http://127.0.0.1:{env['BUDGETBOT_PORT']}" for env in (first, second)]
    )
    servers = []
    try:
        await build_rounds(database_url, Phase.IDEAS)
        proposals_before = len((await read(database_url))[0])
        [chat] = await seed_crowd(database_url, fake, 1)
        user = fake.users[chat]
        servers = [await start_serve(first), await start_serve(second)]
        async with aiohttp.ClientSession() as http, asyncio.timeout(120):
            for number, (kind, value) in enumerate(STEPS):
                if kind == "text":
                    update = fake.message_update(user, text=value)
                else:
                    message, label = residents.button(chat, value)
                    update = fake.button_update(user, dict(message), label)
                worker = number % 2
                await residents.step(http, chat, update, to=worker)
                before = residents.replies_in(chat)
                await residents.post(http, update, to=1 - worker)  # redelivered to the other
                await asyncio.sleep(0.3)
                assert residents.replies_in(chat) == before, "a redelivery is a no-op"
        proposals, processed, waiting = await read(database_url)
    finally:
        for server in servers:
            await stop_serve(server)
        await fake.stop()

    [proposal] = proposals[proposals_before:]
    assert (proposal.title, proposal.description, proposal.cost) == (TITLE, DESCRIPTION, 45000)
    assert processed == len(STEPS)
    assert waiting == 0
    texts = [c.text for c in fake.calls if c.ok and c.chat_id == chat and c.text]
    assert len(texts) == len(set(texts)), "no reply twice"
