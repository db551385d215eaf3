"""A turn's replies are stored with its effects until Telegram took them; what one process
could not send (an outage, a crash) another sends from storage, editing where the turn
would have edited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.app.bootstrap import telegram_channel
from bot.delivery.replies import ReplyOutbox
from budgeting.models import OutgoingReply, utcnow
from budgeting.phases import Phase
from budgeting.services.reachability import Reachability
from tests.bot.channels.telegram.harness import FAST, expect, methods, start_in_english

ONE_TRY = replace(FAST, max_attempts=1)
"""A failed call fails at once (no backoff in the test)."""


async def stored(sessions) -> list[OutgoingReply]:
    async with sessions() as session:
        return list((await session.scalars(select(OutgoingReply))).all())


async def test_replies_are_forgotten_once_telegram_took_them(seeded, make_telegram, sessions):
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    ada = telegram.resident(3101, "Ada")
    await start_in_english(ada)
    expect(ada, await ada.say("/help"), "/propose")
    await telegram.channel.drain()
    assert await stored(sessions) == []


async def test_replies_telegram_could_not_take_are_sent_later_by_another_process(
    seeded, make_telegram, sessions
):
    await seeded(Phase.VOTING)
    telegram = await make_telegram("webhook", limits=ONE_TRY)
    fake = telegram.fake
    ada = telegram.resident(3102, "Ada")
    await start_in_english(ada)
    await ada.say("/vote")
    question = ada.message_with("Säter town")

    fake.down = True  # the turn is committed and answered 200; the edit fails
    calls = await ada.press("Säter town", question)
    await telegram.channel.drain()
    assert [c.status for c in calls] == [502]
    [row] = await stored(sessions)
    assert (row.recipient, row.address, row.delivered, row.attempts, row.owner) == (
        str(ada.chat_id),
        {"edit": question["message_id"]},
        0,
        1,
        None,
    )

    fake.down = False  # a minute later, another worker process looks
    later = ReplyOutbox(sessions, clock=lambda: utcnow() + timedelta(minutes=1))
    other = telegram_channel(
        telegram.channel.config,
        telegram.runtime.dialogs.handle,
        Reachability(sessions, "telegram"),
        later.guard,
    )
    before = len(fake.calls)
    try:
        assert await later.sweep({"telegram": other}) == 1
        await later.drain()
    finally:
        await other.disconnect()
        await later.close()
    resent = [c for c in fake.calls[before:] if c.chat_id == ada.chat_id]
    assert methods(resent) == ["editMessageText"]  # still the builder, in place
    assert resent[0].params["message_id"] == question["message_id"]
    expect(ada, resent, "Rank up to 3 projects", "Choose your #1:")
    assert await stored(sessions) == []
    assert await later.sweep({"telegram": other}) == 0  # nothing is sent twice
