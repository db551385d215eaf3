"""Being told about comments, through the real chat, outbox worker and fake Bot API.

Anna (English) wrote proposal #1; Cilla (Swedish) follows it; Bo (English) comments.
Anna hears of Bo's comment at once and opens the discussion with one tap; later
comments within the window reach Cilla as ONE message that counts them. The chats run
on the real clock; the worker's clock is a fixed day (no quiet hours) moved by hand.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.delivery.worker import OutboxWorker
from budgeting.models import ChannelIdentity, Proposal
from budgeting.phases import Phase
from tests.bot.channels.telegram.harness import Resident, expect, shown, start_in_english

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # noon in Stockholm
ANNA, BO, CILLA = 4400, 4401, 4402


def sent_to(fake, before: int, chat: int) -> list:
    return [
        c for c in fake.calls[before:] if c.ok and c.method == "sendMessage" and c.chat_id == chat
    ]


async def comment(bo: Resident, text: str) -> None:
    await bo.say("/start p_1")
    await bo.press("Write a comment")
    calls = await bo.say(text)
    sign = re.findall(r"\[((?:Sign as|Skriv under som) [^\]]+)\]", shown(calls))
    if sign:  # the first comment: sign with the pseudonym
        calls = await bo.press(sign[0])
    expect(bo, calls, "your comment is published")


async def test_author_is_told_at_once_and_a_follower_gets_one_batched_message(
    seeded, make_telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    fake = telegram.fake
    anna = telegram.resident(ANNA, "Anna")
    bo = telegram.resident(BO, "Bo")
    cilla = telegram.resident(CILLA, "Cilla", language_code="sv")
    await start_in_english(anna)
    await start_in_english(bo)
    await cilla.say("/start")
    await cilla.press("Svenska")
    async with sessions() as session, session.begin():
        author = await session.scalar(
            select(ChannelIdentity.participant_id).where(ChannelIdentity.external_id == str(ANNA))
        )
        await session.execute(update(Proposal).where(Proposal.id == 1).values(author_id=author))
    await cilla.say("/start p_1")
    await cilla.press("Följ")

    clock = {"now": DAYTIME}
    worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=lambda: clock["now"])
    await worker.tick()  # the phase's own reminders, out of the way
    await telegram.channel.drain()

    await comment(bo, "Great idea, but <b>mind</b> the lights")
    before = len(fake.calls)
    await worker.tick()
    await telegram.channel.drain()
    (to_anna,) = sent_to(fake, before, ANNA)
    assert to_anna.text.startswith("1 new comment on #1 ")
    assert "— Great idea, but <b>mind</b> the lights" in to_anna.text  # shown as written
    assert to_anna.labels == ["Open the discussion"]
    (to_cilla,) = sent_to(fake, before, CILLA)
    assert to_cilla.text.startswith("1 ny kommentar om #1 ")
    assert sent_to(fake, before, BO) == []  # not told of his own comment

    opened = expect(anna, await anna.press("Open the discussion"), "Comments on #1 ", "Resident ")
    assert "Great idea, but <b>mind</b> the lights" in opened

    await comment(bo, "And a bench too")
    await comment(anna, "Thank you, Bo!")
    clock["now"] = DAYTIME + timedelta(minutes=20)
    before = len(fake.calls)
    await worker.tick()
    assert sent_to(fake, before, CILLA) == [] and sent_to(fake, before, ANNA) == []

    clock["now"] = DAYTIME + timedelta(hours=3)
    await worker.tick()
    await telegram.channel.drain()
    (batched,) = sent_to(fake, before, CILLA)  # ONE message for the two comments
    assert batched.text.startswith("2 nya kommentarer om #1 ")
    assert "— And a bench too\n— Thank you, Bo!" in batched.text
    assert batched.labels == ["Öppna diskussionen"]
    (to_anna,) = sent_to(fake, before, ANNA)  # only Bo's: her own is not told to her
    assert to_anna.text.startswith("1 new comment on #1 ") and "And a bench too" in to_anna.text
    assert sent_to(fake, before, BO) == []

    before = len(fake.calls)
    clock["now"] += timedelta(hours=1)
    await worker.tick()
    assert sent_to(fake, before, CILLA) == sent_to(fake, before, ANNA) == []  # never twice
