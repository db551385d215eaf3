"""Flagging through the Telegram channel and the fake Bot API: three residents report a
comment with its buttons, it is hidden at once, and its Swedish writer is told why."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.delivery.worker import OutboxWorker
from budgeting.i18n import translator
from budgeting.phases import Phase
from tests.bot.channels.telegram.harness import SQLITE_ONLY, expect, shown, start_in_english

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)
SARA = 3400
NEIGHBOURS = (3401, 3402, 3403)
COMMENT = "Ni som vill ha bänkar är dumma i huvudet."


@SQLITE_ONLY
async def test_three_residents_hide_a_comment_and_its_writer_hears_why(
    seeded, make_telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    sv = translator("sv").gettext
    sara = telegram.resident(SARA, "Sara", language_code="sv")
    await sara.say("/start")
    await sara.press("Svenska")
    await sara.say("/start p_1")
    await sara.press(sv("Write a comment"))
    [sign_as] = re.findall(r"\[(Skriv under som [^\]]+)\]", shown(await sara.say(COMMENT)))
    expect(sara, await sara.press(sign_as), sv("Thank you, your comment is published."))
    for n, chat in enumerate(NEIGHBOURS, start=1):
        neighbour = telegram.resident(chat, f"Neighbour {n}")
        await start_in_english(neighbour)
        await neighbour.say("/start p_1")
        await neighbour.press("Read comments")
        await neighbour.press("Report a comment")
        expect(neighbour, await neighbour.press("«Ni som vill"), "Why are you reporting")
        calls = await neighbour.press("Offensive or a personal attack")
        if n < 3:
            expect(neighbour, calls, "Thank you. A moderator will look at the comment.")
        else:
            expect(neighbour, calls, "The comment is hidden until a moderator has looked at it.")
    shown_now = expect(sara, await sara.press(sv("Read comments")), "Bra idé, min mamma")
    assert COMMENT not in shown_now  # hidden from everyone at once
    before = len(telegram.fake.calls)
    worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=lambda: DAYTIME)
    await worker.tick()
    await telegram.channel.drain()
    told = [c for c in telegram.fake.calls[before:] if c.ok and c.method == "sendMessage"]
    assert [c.chat_id for c in told] == [SARA]
    text = told[0].text
    assert "Din kommentar om #1 Fler bänkar längs Ljusterån är dold tills vidare" in text
    assert "3 invånare anmälde den" in text
    assert "Kränkande eller ett personangrepp" in text and COMMENT[:30] in text
