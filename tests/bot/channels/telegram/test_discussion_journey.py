"""Issue 17's discussion end to end: aiogram, the fake Bot API and the real outbox worker.

Astrid (Swedish) proposes an idea with /propose and is shown the similar idea first;
Bilal (English) comments on it; Astrid is told, opens the thread from that message and
answers him; Bilal is told of the answer; Chadi (Arabic), who follows the idea, is told
of Bilal's comment at once and of the two comments that come within the window in ONE
message; Bilal agrees with Astrid's answer; Dalia (Arabic) insults the others, three
neighbours (Swedish, English, Arabic) report her comment, it is hidden at once and she
is told why. The chats run on the real clock; the worker's clock is a weekday noon (no
quiet hours) moved by hand. Nothing is sent twice.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery.worker import OutboxWorker
from budgeting.i18n import LANGUAGES, translator
from budgeting.phases import Phase
from tests.bot.channels.telegram.harness import Resident, Telegram, expect, shown
from tests.fakes.telegram_bot_api import Call

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # noon in Stockholm, a Wednesday
ASTRID, BILAL, CHADI, DALIA = 4700, 4701, 4702, 4703
REPORTERS = ((4710, "Elin", "sv"), (4711, "Frank", "en"), (4712, "Ghada", "ar"))
ROUND_TITLES = {
    "sv": "Medborgarbudget Säter 2027",
    "en": "Säter participatory budget 2027",
    "ar": "الميزانية التشاركية في سيتر 2027",
}
TITLE = "Bänkar med tak längs Ljusterån"
DESCRIPTION = (
    "Fler bänkar med tak längs promenaden vid Ljusterån, så att äldre kan vila och sitta "
    "torrt när det regnar."
)
BILALS = "Love this! Could the benches have armrests? My dad needs them to stand up."
ASTRIDS = "Ja, armstöd på varannan bänk. Tack för tipset!"
DALIAS = "المقاعد للكسالى فقط. من يريد هذا أحمق."
RLM = "\u200f"
OPT_OUT = "You can switch these messages off in /settings."
sv, en, ar = translator("sv"), translator("en"), translator("ar")


class Postman:
    """The real outbox worker on a hand-moved clock; remembers every message it sent."""

    def __init__(self, telegram: Telegram, sessions) -> None:
        self.telegram = telegram
        self.now = DAYTIME
        self.worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=self.clock)
        self.sent: list[Call] = []

    def clock(self) -> datetime:
        return self.now

    async def round_at(self, at: datetime) -> dict[int, list[Call]]:
        """One tick of the worker at ``at``: the messages it sent, by chat."""
        self.now = at
        before = len(self.telegram.fake.calls)
        report = await self.worker.tick()
        await self.telegram.channel.drain()
        assert report.failed == 0 and report.deferred == 0, report
        calls = [c for c in self.telegram.fake.calls[before:] if c.ok and c.method == "sendMessage"]
        self.sent += calls
        by_chat: dict[int, list[Call]] = {}
        for call in calls:
            by_chat.setdefault(call.chat_id, []).append(call)
        return by_chat


def message_of(telegram: Telegram, call: Call) -> dict[str, Any]:
    """The chat message a call sent, as the resident has it (to press its buttons)."""
    return telegram.fake.messages[(call.chat_id, call.result["message_id"])]


def right_to_left(lines: list[str]) -> list[str]:
    """Lines as an Arabic reader gets them: a mark before each that starts left to right."""
    return [line if re.match(r"[\u0600-\u06ff]", line) else RLM + line for line in lines]


async def choose_language(resident: Resident, code: str) -> None:
    await resident.say("/start")
    expect(resident, await resident.press(LANGUAGES[code]), ROUND_TITLES[code])


async def open_proposal(resident: Resident, proposal_id: int) -> str:
    """The proposal's card through its deep link."""
    return expect(resident, await resident.say(f"/start p_{proposal_id}"), f"#{proposal_id} ")


async def first_comment(resident: Resident, code: str, proposal_id: int, body: str) -> str:
    """Write a first comment on a proposal, signed with the pseudonym; returns its number."""
    t = translator(code)
    await open_proposal(resident, proposal_id)
    expect(resident, await resident.press(t.gettext("Write a comment")), f"#{proposal_id} ")
    calls = await resident.say(body)
    sign_as = t.gettext("Sign as {name}").format(name=t.gettext("Resident {number}"))
    pattern = re.escape(sign_as).replace(re.escape("{number}"), r"(\d+)")
    [number] = re.findall(pattern, shown(calls))
    expect(resident, calls, t.gettext("Choose my own name"))
    expect(
        resident,
        await resident.press(sign_as.format(number=number)),
        t.gettext("Thank you, your comment is published."),
        body,
    )
    return number


async def test_two_residents_discuss_an_idea_and_the_others_are_told_once(
    seeded, telegram: Telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    fake = telegram.fake
    astrid = telegram.resident(ASTRID, "Astrid", language_code="sv")
    bilal = telegram.resident(BILAL, "Bilal", language_code="en")
    chadi = telegram.resident(CHADI, "Chadi", language_code="ar")
    dalia = telegram.resident(DALIA, "Dalia", language_code="ar")
    reporters = [(telegram.resident(chat, name, code), code) for chat, name, code in REPORTERS]
    for resident, code in [(astrid, "sv"), (bilal, "en"), (chadi, "ar"), (dalia, "ar")]:
        await choose_language(resident, code)
    for resident, code in reporters:
        await choose_language(resident, code)
    postman = Postman(telegram, sessions)
    await postman.round_at(DAYTIME - timedelta(hours=1))  # the phase's own reminders
    postman.sent.clear()

    # Astrid proposes; the bot shows her the idea that looks like hers first
    expect(astrid, await astrid.say("/propose"), "Vilket område gäller din idé?")
    expect(astrid, await astrid.press("Säter tätort"), "Område: Säter tätort.")
    expect(astrid, await astrid.say(TITLE), "Beskriv din idé")
    out = expect(
        astrid,
        await astrid.say(DESCRIPTION),
        "Det finns redan en idé i omgången som liknar din:",
        "#1 Fler bänkar längs Ljusterån",
        "[#1 Fler bänkar längs Ljusterån]",
        "[Skicka in min ändå]",
    )
    assert "#2 " not in out  # the outdoor gym is not like benches
    expect(astrid, await astrid.press("Skicka in min ändå"), "Ungefär hur mycket skulle det kosta")
    expect(astrid, await astrid.say("45000"), "[Hoppa över]")
    expect(astrid, await astrid.press("Hoppa över"), "Kontrollera din idé", TITLE, sv.money(45_000))
    out = expect(astrid, await astrid.press("Skicka in"), "är inskickad")
    idea = int(re.search(r"#(\d+)", out).group(1))
    heading = f"#{idea} {TITLE}"

    # Chadi follows the idea
    card = await open_proposal(chadi, idea)
    assert TITLE in card and DESCRIPTION in card
    expect(chadi, await chadi.press("متابعة"), f"أنت الآن تتابع #{idea}. سنخبرك بكل تغيير.")

    # Bilal comments, signing with his pseudonym the first time
    bilal_number = await first_comment(bilal, "en", idea, BILALS)

    # Astrid is told at once, in Swedish, and so is Chadi, in Arabic; Bilal is not
    told = await postman.round_at(DAYTIME)
    assert sorted(told) == [ASTRID, CHADI]
    (to_astrid,) = told[ASTRID]
    assert to_astrid.text.split("\n") == [
        f"1 ny kommentar om {heading}",
        "Andra invånare diskuterar din idé.",
        f"— {BILALS}",
        sv.gettext(OPT_OUT),
    ]
    assert to_astrid.labels == ["Öppna diskussionen"]
    (to_chadi,) = told[CHADI]
    assert to_chadi.text.split("\n") == right_to_left(
        [
            f"1 تعليق جديد على {heading}",
            "أنت تتابع هذا المقترح، ويناقشه سكان آخرون.",
            f"— {BILALS}",
            ar.gettext(OPT_OUT),
        ]
    )
    assert to_chadi.labels == ["افتح النقاش"]

    # Astrid opens the thread from that message and answers Bilal, with a name of her own
    expect(
        astrid,
        await astrid.press("Öppna diskussionen", message_of(telegram, to_astrid)),
        f"Kommentarer om {heading} — 1 kommentar, nyaste först; sida 1 av 1:",
        f"1. Invånare {bilal_number} · i dag ",
        BILALS,
        "[↪ Svara på 1]",
        "[👍 Håll med 1]",
        "[Anmäl en kommentar]",
    )
    expect(
        astrid,
        await astrid.press("↪ Svara på 1"),
        f"Skriv ditt svar till Invånare {bilal_number}: «Love this! Could the benches",
    )
    expect(astrid, await astrid.say(ASTRIDS), "Skriv under som Invånare ", "[Välj ett eget namn]")
    expect(astrid, await astrid.press("Välj ett eget namn"), "Skriv namnet")
    thread = expect(
        astrid,
        await astrid.say("Astrid vid ån"),
        "Tack, ditt svar är publicerat.",
        f"Kommentarer om {heading} — 2 kommentarer",
        "1. Astrid vid ån · i dag ",
        f"↪ svar till Invånare {bilal_number}: «Love this! Could the benches",
        ASTRIDS,
    )
    assert thread.index(ASTRIDS) < thread.index(f"2. Invånare {bilal_number}")  # newest first

    # Dalia comments too, within the window
    dalia_number = await first_comment(dalia, "ar", idea, DALIAS)

    # Bilal hears of the answer at once; the author and the follower wait for the window
    told = await postman.round_at(DAYTIME + timedelta(minutes=20))
    assert sorted(told) == [BILAL]
    (to_bilal,) = told[BILAL]
    assert to_bilal.text.split("\n") == [
        f"1 new comment on {heading}",
        "Someone answered your comment.",
        f"— {ASTRIDS}",
        OPT_OUT,
    ]
    assert to_bilal.labels == ["Open the discussion"]
    assert await postman.round_at(DAYTIME + timedelta(hours=2, minutes=59)) == {}

    # the window has passed: Chadi gets ONE message for the two comments, Astrid one for
    # Dalia's (never one for her own answer)
    told = await postman.round_at(DAYTIME + timedelta(hours=3))
    assert sorted(told) == [ASTRID, CHADI]
    (batched,) = told[CHADI]
    assert batched.text.split("\n") == right_to_left(
        [
            f"2 تعليقان جديدان على {heading}",
            "أنت تتابع هذا المقترح، ويناقشه سكان آخرون.",
            f"— {ASTRIDS}",
            f"— {DALIAS}",
            ar.gettext(OPT_OUT),
        ]
    )
    assert batched.labels == ["افتح النقاش"]
    (to_astrid,) = told[ASTRID]
    assert to_astrid.text.split("\n") == [
        f"1 ny kommentar om {heading}",
        "Andra invånare diskuterar din idé.",
        f"— {DALIAS}",
        sv.gettext(OPT_OUT),
    ]

    # Bilal opens the thread from his message and agrees with Astrid's answer
    thread = expect(
        bilal,
        await bilal.press("Open the discussion", message_of(telegram, to_bilal)),
        f"Comments on {heading} — 3 comments, newest first; page 1 of 1:",
        f"1. Resident {dalia_number} · today ",
        "2. Astrid vid ån · today ",
        f"↪ reply to Resident {bilal_number}: «Love this! Could the benches",
        f"3. Resident {bilal_number} · today ",
        "[👍 Agree with 2]",
    )
    assert "agree" not in thread.replace("[👍 Agree with", "")
    expect(
        bilal,
        await bilal.press("👍 Agree with 2"),
        "👍 You agree with Astrid vid ån: «Ja, armstöd på varannan bänk.",
        "1 person agrees.",
    )
    thread = expect(
        bilal, await bilal.press("Back to the comments"), "👍 1 agrees", "[👍 Take back 2]"
    )
    assert f"{ASTRIDS}\n👍 1 agrees\n\n3. Resident {bilal_number}" in thread
    assert thread.count("👍 1 agrees") == 1

    # Chadi reads the same thread in Arabic from his batched message, the 👍 count too
    thread = expect(
        chadi,
        await chadi.press("افتح النقاش", message_of(telegram, batched)),
        f"{RLM}1. ساكن {dalia_number} · اليوم ",
        f"{RLM}2. Astrid vid ån · اليوم ",
        f"{RLM}↪ ردًا على ساكن {bilal_number}: «Love this!",
        f"{RLM}{ASTRIDS}\n{RLM}👍 1 يوافق\n\n{RLM}3. ساكن {bilal_number}",
    )
    assert thread.count("👍 1 يوافق") == 1

    # three neighbours report Dalia's comment, each in their language; the third hides it
    for n, (neighbour, code) in enumerate(reporters, start=1):
        t = translator(code)
        await open_proposal(neighbour, idea)
        await neighbour.press(t.gettext("Read comments"))
        await neighbour.press(t.gettext("Report a comment"))
        expect(
            neighbour,
            await neighbour.press("«المقاعد للكسالى"),
            t.gettext("Why are you reporting this comment?"),
            DALIAS,
        )
        calls = await neighbour.press(t.gettext("Offensive or a personal attack"))
        thanks = (
            "Thank you. A moderator will look at the comment."
            if n < len(reporters)
            else "Thank you. The comment is hidden until a moderator has looked at it."
        )
        expect(neighbour, calls, t.gettext(thanks))
    for resident, t in ((bilal, en), (dalia, ar), (astrid, sv)):
        await open_proposal(resident, idea)
        page = expect(resident, await resident.press(t.gettext("Read comments")), ASTRIDS)
        assert "المقاعد" not in page  # hidden from everyone at once, its writer too
        assert t.ngettext("{n} comment", "{n} comments", 2).format(n=2) in page

    # Dalia is told why, in Arabic, by the worker; nobody else hears anything
    told = await postman.round_at(DAYTIME + timedelta(hours=3, minutes=5))
    assert sorted(told) == [DALIA]
    (to_dalia,) = told[DALIA]
    assert to_dalia.text.split("\n") == right_to_left(
        [
            f"تعليقك على {heading} مخفي مؤقتًا: أبلغ عنه 3 من السكان.",
            "السبب الأكثر ذكرًا: مسيء أو هجوم شخصي.",
            f"تعليقك: «{DALIAS}»",
            ar.gettext(
                "A moderator will look at it and show it again if it follows the rules of the "
                "discussion."
            ),
        ]
    )
    assert "moderator" not in to_dalia.text  # all of it in Arabic

    # nothing more, ever, and nothing was sent twice
    for hours in (4, 7, 30):
        assert await postman.round_at(DAYTIME + timedelta(hours=hours)) == {}
    assert sorted(c.chat_id for c in postman.sent) == sorted([ASTRID, CHADI] * 2 + [BILAL, DALIA])
    messages = [(c.chat_id, c.text) for c in postman.sent]
    assert len(set(messages)) == len(messages)
    answered = [
        c.params["callback_query_id"] for c in fake.calls if c.method == "answerCallbackQuery"
    ]
    assert sorted(answered) == sorted(fake.callbacks) and len(set(answered)) == len(answered)
