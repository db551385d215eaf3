"""Every kind of notification through the Telegram channel and the fake Bot API.

Residents join through the real chat: Sara in Swedish, Omar in Arabic, Erik and Eve
in English, Bo in English but blocks the bot, Ulla in English but switches results
and news off in /settings. Erik follows proposal 1 and Eve votes. Each kind must reach
exactly the right chats, each in its own language, and nobody else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.delivery.worker import OutboxWorker
from budgeting.models import NotificationKind as Kind
from budgeting.models import Participant
from budgeting.phases import Phase
from budgeting.services.notifications import enqueue
from tests.bot.channels.telegram.harness import SQLITE_ONLY, start_in_english

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # noon in Stockholm
NIGHT = datetime(2027, 3, 10, 22, 0, tzinfo=UTC)  # 23:00 in Stockholm: quiet hours
SARA, OMAR, ERIK, EVE, BO, ULLA = 3300, 3301, 3302, 3303, 3304, 3305
EVERYONE = {SARA, OMAR, ERIK, EVE, ULLA}  # Bo blocked the bot
ARABIC = re.compile(r"[\u0600-\u06ff]")

KINDS = [
    # kind, what the notification names, who gets it, a phrase of the English text
    (Kind.IDEAS_OPEN, {}, EVERYONE, "Ideas are open!"),
    (Kind.VOTING_OPENS, {}, EVERYONE, "Voting is open!"),
    (Kind.VOTING_CLOSES, {}, EVERYONE - {EVE}, "Voting closes in 24 hours"),
    (
        Kind.REVIEW_OUTCOME,
        {"to": ERIK, "params": {"proposal_id": 5, "outcome": "rejected", "reason": "Too big"}},
        {ERIK},
        "Too big",
    ),
    (
        Kind.FOLLOWED_CHANGED,
        {"proposal_id": 1, "params": {"proposal_id": 1, "change": "accepted"}},
        {ERIK},
        "which you follow, is on the ballot",
    ),
    (Kind.RESULTS, {}, EVERYONE - {ULLA}, "The result of the vote is published."),
    (
        Kind.DECISION,
        {"proposal_id": 1, "params": {"proposal_id": 1, "decision": "approved"}},
        {ERIK},
        "The council approved #1",
    ),
    (
        Kind.IMPLEMENTATION,
        {"proposal_id": 1, "params": {"proposal_id": 1, "progress": 40}},
        {ERIK},
        "40 per cent done",
    ),
    (Kind.SURVEY, {}, EVERYONE, "Three quick questions"),
    (
        Kind.BROADCAST,
        {"texts": {"sv": "Möte i kväll", "en": "Meeting tonight", "ar": "اجتماع الليلة"}},
        EVERYONE - {ULLA},
        "Meeting tonight",
    ),
]


@pytest.fixture
async def residents(seeded, make_telegram, sessions):
    """The six residents, in the voting phase, and the Telegram channel."""
    round_ = await seeded(Phase.VOTING)
    telegram = await make_telegram("webhook")
    people = {}
    for chat, name in ((SARA, "Sara"), (OMAR, "Omar"), (ERIK, "Erik"), (EVE, "Eve")):
        people[chat] = telegram.resident(chat, name, language_code="en")
    people[BO] = telegram.resident(BO, "Bo")
    people[ULLA] = telegram.resident(ULLA, "Ulla")
    await people[SARA].say("/start")
    await people[SARA].press("Svenska")
    await people[OMAR].say("/start")
    await people[OMAR].press("العربية")
    for chat in (ERIK, EVE, BO, ULLA):
        await start_in_english(people[chat])

    erik = people[ERIK]
    await erik.say("/start p_1")
    await erik.press("Follow")
    eve = people[EVE]
    await eve.say("/vote")
    await eve.press("Säter town")
    for label in ("#1 Fler bänkar", "#2 Utegym", "#3 Belysning", "Confirm"):
        await eve.press(label)
    assert "your ballot is registered" in eve.history()
    ulla = people[ULLA]
    await ulla.say("/settings")
    await ulla.press("🔔 results")
    await ulla.press("🔔 news from the municipality")
    telegram.fake.blocked.add(BO)
    return round_, telegram


async def notify(sessions, round_id: int, kind: Kind, spec: dict) -> None:
    spec = dict(spec)
    async with sessions() as session, session.begin():
        participant_id = None
        if "to" in spec:
            chat = str(spec.pop("to"))
            participant_id = await session.scalar(
                select(Participant.id).where(Participant.identities.any(external_id=chat))
            )
        await enqueue(
            session,
            kind,
            round_id=round_id,
            proposal_id=spec.pop("proposal_id", None),
            participant_id=participant_id,
            payload=spec,
            due_at=DAYTIME,
        )


@SQLITE_ONLY
async def test_each_kind_reaches_exactly_the_right_people_in_their_language(
    residents, sessions
) -> None:
    round_, telegram = residents
    fake = telegram.fake
    worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=lambda: DAYTIME)
    for kind, spec, expected, english in KINDS:
        await notify(sessions, round_.id, kind, spec)
        before = len(fake.calls)
        await worker.tick()
        await telegram.channel.drain()
        got = {c.chat_id: c.text for c in fake.calls[before:] if c.ok and c.method == "sendMessage"}
        assert set(got) == expected, kind
        if ERIK in got:
            assert english in got[ERIK], kind
        if SARA in got and ERIK in got:
            assert got[SARA] != got[ERIK] and not ARABIC.search(got[SARA]), kind  # Swedish
        if OMAR in got:
            assert ARABIC.search(got[OMAR]), kind
        refused = [c.chat_id for c in fake.calls[before:] if c.status == 403]
        assert refused == ([BO] if kind is Kind.IDEAS_OPEN else []), kind  # tried once only
        before = len(fake.calls)
        await worker.tick()
        assert [c for c in fake.calls[before:] if c.method == "sendMessage"] == [], kind


@SQLITE_ONLY
async def test_quiet_hours_hold_the_message_until_morning(residents, sessions) -> None:
    round_, telegram = residents
    fake = telegram.fake
    clock = {"now": NIGHT}
    worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=lambda: clock["now"])
    await notify(sessions, round_.id, Kind.RESULTS, {})
    before = len(fake.calls)
    report = await worker.tick()
    assert report.sent == 0 and report.deferred == 5  # Ulla opted out; Bo is not known blocked yet
    assert [c for c in fake.calls[before:] if c.method == "sendMessage"] == []
    clock["now"] = DAYTIME.replace(day=11)
    await worker.tick()
    await telegram.channel.drain()
    got = {c.chat_id for c in fake.calls[before:] if c.ok and c.method == "sendMessage"}
    assert got == EVERYONE - {ULLA}
