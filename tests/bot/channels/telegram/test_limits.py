"""The outbound sender: Telegram's rate limits, 429 retry_after, and 403 for blocked residents."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.contract import SendOutcome
from bot.channels.pacing import RateLimits
from bot.delivery.worker import OutboxWorker
from budgeting.models import ChannelIdentity, Delivery, NotificationKind, Participant
from budgeting.phases import Phase
from budgeting.services.notifications import enqueue
from dialogs.types import Reply
from tests.bot.channels.telegram.harness import SQLITE_ONLY, start_in_english
from tests.fakes.telegram_bot_api import MESSAGE_METHODS, Limits, Window

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # noon in Stockholm: no quiet hours


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times)), default=0)


@SQLITE_ONLY
async def test_a_429_is_honoured(seeded, make_telegram) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook", limits=RateLimits())
    fake = telegram.fake
    ines = telegram.resident(3001, "Ines")
    await ines.say("/start")
    fake.limits = Limits(per_chat=Window(2, 1.0))  # stricter than our burst of 3
    calls = await ines.press("English")  # three replies at once

    sent = [c for c in calls if c.method in MESSAGE_METHODS]
    floods = [c for c in sent if c.status == 429]
    assert floods, "the fake should have answered 429"
    for flood in floods:
        assert flood.result["parameters"] == {"retry_after": 1}
        assert flood.result["description"] == "Too Many Requests: retry after 1"
        after = [c for c in fake.calls if c.method in MESSAGE_METHODS and c.at > flood.at]
        assert after[0].at - flood.at >= 1.0  # nothing sent at all until retry_after passed
    delivered = [c.text.split("\n")[0] for c in sent if c.ok]
    assert delivered == [
        "Language set to English.",
        delivered[1],
        "You are taking part in: Säter participatory budget 2027.",
    ]
    assert delivered[1].startswith("Privacy:")


@SQLITE_ONLY
async def test_the_sender_keeps_telegrams_limits(make_telegram) -> None:
    telegram = await make_telegram("webhook", limits=RateLimits())
    fake, channel = telegram.fake, telegram.channel
    chats = [fake.user(4000 + i, f"R{i}")["id"] for i in range(40)]
    busy = chats[0]
    note = [Reply("Voting opens tomorrow.")]
    outcomes = await asyncio.gather(
        *(channel.send(str(chat), note) for chat in chats),
        *(channel.send(str(busy), [Reply(f"Update {n}")]) for n in range(4)),
    )
    assert set(outcomes) == {SendOutcome.SENT}
    sent = [c for c in fake.calls if c.method == "sendMessage"]
    assert len(sent) == 44 and all(c.ok for c in sent)
    assert most_in_one_second([c.at for c in sent]) <= 31  # about 30 a second overall
    assert sent[-1].at - sent[0].at >= 43 / 30 - 0.05
    to_busy = [c.at for c in sent if c.chat_id == busy]
    assert most_in_one_second(to_busy) <= 3  # a short burst of 3, then one a second
    assert to_busy[4] - to_busy[0] >= 2 - 0.05
    assert [c.text for c in sent if c.chat_id == busy][1:] == [f"Update {n}" for n in range(4)]


async def test_a_403_marks_the_resident_unreachable(seeded, make_telegram, sessions) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    fake, channel = telegram.fake, telegram.channel
    jon = telegram.resident(3002, "Jon")
    await start_in_english(jon)
    fake.blocked.add(jon.chat_id)

    assert await channel.send("3002", [Reply("Voting opens tomorrow.")]) is SendOutcome.UNREACHABLE
    refused = fake.calls[-1]
    assert (refused.status, refused.result["description"]) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    async with sessions() as session:
        marked = await session.scalar(
            select(Participant.unreachable_at)
            .join(ChannelIdentity)
            .where(ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == "3002")
        )
    assert marked is not None
    before = len(fake.calls)
    assert await channel.send("3002", [Reply("Another one.")]) is SendOutcome.UNREACHABLE
    assert fake.calls[before:] == []  # no more attempts

    fake.blocked.discard(jon.chat_id)  # unblocked, and writes again
    calls = await jon.say("/menu")
    assert [c.method for c in calls if c.ok] == ["sendMessage"]


async def test_notifications_go_through_the_same_sender(seeded, make_telegram, sessions) -> None:
    round_ = await seeded(Phase.VOTING)
    telegram = await make_telegram("webhook")
    fake = telegram.fake
    residents = [telegram.resident(3100 + i, f"N{i}") for i in range(3)]
    for resident in residents:
        await start_in_english(resident)
    fake.blocked.add(residents[2].chat_id)
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            NotificationKind.BROADCAST,
            round_id=round_.id,
            payload={"texts": {"en": "The voting <b>opens</b> now!", "sv": "Nu röstar vi!"}},
        )
    worker = OutboxWorker(sessions, {"telegram": telegram.channel}, clock=lambda: DAYTIME)
    before = len(fake.calls)
    report = await worker.tick()
    calls = [c for c in fake.calls[before:] if c.method == "sendMessage"]
    assert sorted((c.chat_id, c.status) for c in calls) == [(3100, 200), (3101, 200), (3102, 403)]
    assert {c.text for c in calls} == {"The voting <b>opens</b> now!"}
    assert report.sent == 2
    async with sessions() as session:
        statuses = sorted((await session.scalars(select(Delivery.status))).all())
    assert statuses == ["sent", "sent", "unreachable"]
    before = len(fake.calls)
    await worker.tick()
    assert fake.calls[before:] == []
