"""A 10,000-recipient broadcast survives ``kill -9`` of ``budgetbot serve`` mid-way.

The only fake is Telegram's Bot API (on loopback, in this process, enforcing a
time-compressed overall limit); the sender is told the same limit. After the kill a
fresh process takes the notification over once its lease runs out and finishes it.

It runs on SQLite and on PostgreSQL (where the claim is ``FOR UPDATE SKIP LOCKED``).

The residual window: a message the fake accepted but whose delivery the killed
process had not yet committed is sent again. There can be at most
``BUDGETBOT_OUTBOX_CONCURRENCY`` of them (a sender takes its next recipient only once
its last one is committed), and the test checks that exactly those chats, and no
others, got a second copy.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from budgeting.db import create_engine, session_factory
from budgeting.models import ChannelIdentity, Delivery
from tests.fakes.crowd import (
    build_rounds,
    copies,
    enqueue_broadcast,
    outbox_state,
    seed_crowd,
    serve_env,
    start_serve,
    stop_serve,
    wait_done,
    wait_for,
)
from tests.fakes.telegram_bot_api import FakeBotAPI, Limits, Window

RECIPIENTS = 10_000
RATE = 500
"""Messages a second, for the fake's limit and our sender alike (Telegram's is 30)."""
CONCURRENCY = 10
MARKER = "crash-test"


async def recorded_chats(database_url: str, notification_id: int) -> set[int]:
    """The Telegram chats whose delivery is committed."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(
                select(ChannelIdentity.external_id)
                .join(Delivery, Delivery.participant_id == ChannelIdentity.participant_id)
                .where(
                    Delivery.notification_id == notification_id,
                    Delivery.status == "sent",
                    ChannelIdentity.channel == "telegram",
                )
            )
            return {int(chat) for chat in rows}
    finally:
        await engine.dispose()


async def test_broadcast_killed_midway_reaches_everyone_once(database_url: str) -> None:
    url = database_url
    fake = FakeBotAPI(limits=Limits(overall=Window(RATE, 1.0), per_chat=Window(1, 1.0)))
    env = serve_env(
        url,
        await fake.start(),
        telegram_messages_per_second=str(RATE),
        outbox_tick_seconds="0.5",
        outbox_lease_seconds="2",
        outbox_concurrency=str(CONCURRENCY),
    )
    servers = []
    try:
        await build_rounds(url)
        chats = await seed_crowd(url, fake, RECIPIENTS)
        notification_id = await enqueue_broadcast(url, MARKER)

        servers.append(await start_serve(env))
        await wait_for(lambda: len(copies(fake, MARKER)) >= RECIPIENTS // 3, seconds=120)
        servers[0].kill()
        await servers[0].wait()
        before = copies(fake, MARKER)
        committed = await recorded_chats(url, notification_id)
        unrecorded = set(before) - committed
        assert committed <= set(before)
        assert RECIPIENTS // 3 <= len(before) < RECIPIENTS, "the kill came mid-way"
        assert len(unrecorded) <= CONCURRENCY

        servers.append(await start_serve(env))
        await wait_for(lambda: len(copies(fake, MARKER)) >= RECIPIENTS, seconds=180)
        await wait_done(url, notification_id)
        await asyncio.sleep(1.5)  # more ticks must not send it again
    finally:
        for server in servers:
            await stop_serve(server)
        await fake.stop()

    received = copies(fake, MARKER)
    assert all(received[chat] >= 1 for chat in chats), "nobody is lost"
    twice = {chat for chat in chats if received[chat] > 1}
    assert twice == unrecorded, "only the sends the killed process had not recorded repeat"
    assert max(received.values()) <= 2
    print(f"\n{len(before)} sent before the kill, {len(twice)} sent twice (window {CONCURRENCY})")
    status, recorded = await outbox_state(url, notification_id)
    assert status == "done"
    assert len(await recorded_chats(url, notification_id)) == RECIPIENTS
    assert recorded >= RECIPIENTS
