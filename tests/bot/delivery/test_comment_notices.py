"""Being told about comments: through the chat dialog, the outbox and the real worker.

Anna wrote proposal #1; Bo and Dana comment on it in the chat; Cilla follows it. Who is
told, how often, in which words and when, is what a resident sees on their channel;
an ``Inbox`` stands for the messaging app and keeps what each person received.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot.channels.contract import DeliveryGuard, SendOutcome
from bot.delivery.worker import OutboxWorker
from budgeting.models import (
    ChannelIdentity,
    Comment,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
)
from budgeting.phases import Phase
from budgeting.services.comment_notices import KIND_VALUES, tell_about_comment
from budgeting.services.discussion import add_comment
from budgeting.services.proposals import clean_text
from dialogs.engine import DialogEngine
from dialogs.notifications import notification_replies
from dialogs.types import Incoming, Reply
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE

DAYTIME = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Stockholm
NIGHT = datetime(2027, 3, 10, 22, 0, tzinfo=UTC)  # 23:00 in Stockholm: quiet hours
WINDOW = timedelta(hours=3)
OPEN_THREAD = "discussion:page:1:1"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Inbox:
    """The messaging app: what each person was sent (the channel contract's ``send``)."""

    name = "console"

    def __init__(self) -> None:
        self.got: dict[str, list[Reply]] = defaultdict(list)

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        *,
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        self.got[external_id].extend(replies)
        return SendOutcome.SENT

    def texts(self, user: str) -> list[str]:
        return [reply.text for reply in self.got[user]]

    def clear(self) -> None:
        self.got.clear()


class Town:
    """The round in the ideas phase, its people in the chat, the worker and the inbox."""

    def __init__(self, sessions, clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.engine = DialogEngine(sessions, clock=clock)
        self.inbox = Inbox()
        self.worker = OutboxWorker(sessions, {"console": self.inbox}, clock=clock)

    async def join(self, user: str, language: str = "en") -> None:
        await self.say(user, text="/start")
        await self.say(user, payload=f"welcome:language:{language}")

    async def say(self, user: str, **event: str) -> list[Reply]:
        return await self.engine.handle(Incoming("console", user, display_name=user, **event))

    async def comment(self, user: str, text: str, proposal_id: int = 1) -> None:
        await self.say(user, payload=f"discussion:write:{proposal_id}")
        replies = await self.say(user, text=text)
        if any(b.payload == "discussion:sign:pseudonym" for r in replies for b in r.flat_buttons):
            await self.say(user, payload="discussion:sign:pseudonym")  # the first comment
        async with self.sessions() as session:
            stored = await session.scalar(select(Comment).order_by(Comment.id.desc()).limit(1))
        assert stored.body == clean_text(text) and stored.created_at == self.clock.now

    async def participant_id(self, user: str) -> int:
        async with self.sessions() as session:
            return await session.scalar(
                select(ChannelIdentity.participant_id).where(ChannelIdentity.external_id == user)
            )

    async def make_author(self, user: str, proposal_id: int = 1) -> None:
        pid = await self.participant_id(user)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Proposal).where(Proposal.id == proposal_id).values(author_id=pid)
            )

    async def tick(self):
        report = await self.worker.tick()
        return report


async def town(sessions, now: datetime = DAYTIME, phase: Phase = Phase.IDEAS) -> Town:
    clock = Clock(now)
    async with sessions() as session, session.begin():
        await rounds_in_phase(session, now, phase, TOWN, WORKPLACE)
    place = Town(sessions, clock)
    for user, language in (("anna", "en"), ("bo", "sv"), ("cilla", "en"), ("dana", "ar")):
        await place.join(user, language)
    await place.make_author("anna")
    await place.say("cilla", payload="browse:follow:1")
    await place.tick()  # the reminders of the phase ("ideas are open"), out of the way
    place.inbox.clear()
    return place


async def notifications(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).where(Notification.kind.in_(KIND_VALUES)))


async def test_the_author_and_a_follower_hear_of_a_comment_at_once_and_can_open_it(
    sessions,
) -> None:
    place = await town(sessions)
    await place.comment("bo", "Bra idé, men glöm inte\nbelysningen.")
    report = await place.tick()
    assert report.sent == 2
    (to_anna,) = place.inbox.got["anna"]
    assert to_anna.text.startswith("1 new comment on #1 ")
    assert "Other residents are discussing your idea." in to_anna.text
    assert "— Bra idé, men glöm inte" in to_anna.text and "belysningen" not in to_anna.text
    assert [b.payload for b in to_anna.flat_buttons] == [OPEN_THREAD]
    (to_cilla,) = place.inbox.got["cilla"]
    assert "You follow this proposal; other residents are discussing it." in to_cilla.text
    assert place.inbox.got["bo"] == [] and place.inbox.got["dana"] == []  # not their own

    opened = await place.say("anna", payload=to_anna.flat_buttons[0].payload)
    assert "Bra idé, men glöm inte" in opened[0].text  # one tap opens the comments
    assert (await place.tick()).sent == 0  # never twice


async def test_comments_within_the_window_come_in_one_message_with_their_count(
    sessions,
) -> None:
    place = await town(sessions)
    await place.comment("bo", "Första")
    await place.tick()
    place.inbox.clear()

    place.clock.now += timedelta(minutes=10)
    await place.comment("dana", "فكرة جيدة")
    place.clock.now += timedelta(minutes=50)
    await place.comment("bo", "Andra")
    assert (await place.tick()).sent == 0  # within the window: gathered, not sent
    assert await notifications(sessions) == 4  # the first two, and one open batch each

    place.clock.now = DAYTIME + WINDOW
    report = await place.tick()
    (to_anna,) = place.inbox.got["anna"]
    (to_cilla,) = place.inbox.got["cilla"]
    assert (
        to_anna.text.startswith("2 new comments on #1 ") and "— فكرة جيدة\n— Andra" in to_anna.text
    )
    assert to_cilla.text.startswith("2 new comments on #1 ")
    assert report.sent == 2 and place.inbox.got["bo"] == place.inbox.got["dana"] == []

    place.inbox.clear()
    place.clock.now += WINDOW + timedelta(minutes=1)
    await place.comment("dana", "Efter fönstret")
    await place.tick()  # the window since the last message has passed: at once
    assert place.inbox.texts("anna")[0].startswith("1 new comment on #1 ")


async def test_author_who_follows_gets_one_message_and_opt_outs_hold(sessions) -> None:
    place = await town(sessions)
    await place.say("anna", payload="browse:follow:1")
    await place.say("cilla", payload="settings:toggle:comments_followed")
    await place.comment("bo", "Hej")
    await place.tick()
    assert len(place.inbox.got["anna"]) == 1
    assert "discussing your idea" in place.inbox.texts("anna")[0]
    assert place.inbox.got["cilla"] == []  # switched off: not even queued
    assert await notifications(sessions) == 1

    settings = await place.say("anna", text="/settings")
    labels = [b.label for b in settings[0].flat_buttons]
    assert "🔔 comments on my ideas" in labels and "🔔 answers to my comments" in labels
    assert "🔕 comments on proposals I follow" in [
        b.label for b in (await place.say("cilla", text="/settings"))[0].flat_buttons
    ]
    # switched off while a batch waits: the worker skips it
    place.clock.now += timedelta(minutes=5)
    await place.comment("bo", "Igen")
    await place.say("anna", payload="settings:toggle:comments_on_mine")
    place.clock.now += WINDOW
    report = await place.tick()
    assert report.recorded == {"opted_out": 1} and len(place.inbox.got["anna"]) == 1


async def test_quiet_hours_hold_the_message_until_morning(sessions) -> None:
    place = await town(sessions)
    place.clock.now = NIGHT
    await place.comment("bo", "Sent på kvällen")
    report = await place.tick()
    assert report.sent == 0 and report.deferred_for == {"quiet_hours": 2}
    await place.comment("dana", "Också sent")  # joins the waiting batch
    place.clock.now = DAYTIME.replace(day=11)
    assert (await place.tick()).sent == 2  # anna and cilla, once each
    assert place.inbox.texts("anna")[0].startswith("2 new comments on #1 ")


async def test_hidden_comments_are_not_told(sessions) -> None:
    place = await town(sessions)
    await place.comment("bo", "Något olämpligt")
    async with sessions() as session, session.begin():
        await session.execute(update(Comment).values(hidden_reason="abuse"))
    report = await place.tick()
    assert report.sent == 0 and report.recorded == {"empty": 2}
    await place.comment("dana", "Ett vänligt svar")
    place.clock.now += timedelta(minutes=1)  # nothing was told: no window to wait for
    await place.tick()
    assert place.inbox.texts("anna")[0].startswith("1 new comment on #1 ")
    assert "olämpligt" not in place.inbox.texts("anna")[0]


async def test_a_reply_is_told_to_the_writer_of_the_comment_it_answers(sessions) -> None:
    place = await town(sessions)
    await place.comment("dana", "Var ska gymmet ligga?", proposal_id=2)
    anna, dana = await place.participant_id("anna"), await place.participant_id("dana")
    async with sessions() as session, session.begin():
        answered = await session.scalar(select(Comment).where(Comment.author_id == dana))
        reply = Comment(
            proposal_id=2, author_id=anna, reply_to_id=answered.id, body="Vid Säterdalen"
        )
        session.add(reply)
        await session.flush()
        told = await tell_about_comment(session, reply, place.clock.now)
        kinds = {n.participant_id: n.kind for n in told}
        author = (await session.get(Proposal, 2)).author_id
        assert kinds == {dana: NotificationKind.REPLIES, author: NotificationKind.COMMENTS_ON_MINE}
    await place.tick()
    text = place.inbox.texts("dana")[0]
    assert "Someone answered your comment." not in text  # Dana reads Arabic
    assert "#2" in text and "Vid Säterdalen" in text and "\u0627" in text


async def test_employees_are_addressed_as_colleagues(sessions) -> None:
    async with sessions() as session, session.begin():
        await rounds_in_phase(session, DAYTIME, Phase.IDEAS, TOWN, WORKPLACE)
        writer, author = Participant(locale="en"), Participant(locale="en")
        session.add_all([writer, author])
        await session.flush()
        proposal = await session.get(Proposal, 14)
        proposal.author_id = author.id
        comment = Comment(proposal_id=14, author_id=writer.id, body="Good for the ward")
        session.add(comment)
        await session.flush()
        (notification,) = await tell_about_comment(session, comment, DAYTIME)
        (reply,) = await notification_replies(session, notification, author)
    assert "Your colleagues are discussing your idea." in reply.text


async def test_comments_stored_at_the_same_moment_grow_one_batch(sessions) -> None:
    """Three transactions at once, each storing a comment: Anna's batch takes all three."""
    place = await town(sessions)
    await place.comment("bo", "Först")
    await place.tick()  # Anna and Cilla were told; the next comments wait for the window
    writers = [await place.participant_id(user) for user in ("bo", "dana", "cilla")]

    async def write(writer_id: int) -> None:
        async with sessions() as session, session.begin():
            proposal = await session.get(Proposal, 1)
            writer = await session.get(Participant, writer_id)
            await add_comment(
                session, proposal, writer, f"Samtidigt {writer_id}", now=place.clock.now
            )
            await asyncio.sleep(0.05)  # hold the transaction open while the others start

    await asyncio.gather(*(write(w) for w in writers))
    anna = await place.participant_id("anna")
    async with sessions() as session:
        waiting = (
            await session.scalars(
                select(Notification).where(
                    Notification.participant_id == anna, Notification.status == "pending"
                )
            )
        ).all()
    assert len(waiting) == 1 and len(waiting[0].payload["params"]["comment_ids"]) == 3
    place.clock.now += WINDOW
    await place.tick()
    assert [t.split("\n")[0] for t in place.inbox.texts("anna")] == [
        "1 new comment on #1 Fler bänkar längs Ljusterån",
        "3 new comments on #1 Fler bänkar längs Ljusterån",
    ]


async def test_a_long_batch_quotes_three_short_safe_lines_and_counts_the_rest(sessions) -> None:
    place = await town(sessions)
    await place.say("dana", payload="browse:follow:1")
    await place.comment("bo", "Först")
    await place.tick()
    place.inbox.clear()
    bodies = [
        "x" * 1000,
        "Ett\u202etvå\x07 tre\n\nandra raden",
        "🌳🌳 träd",
        "fyra",
        "fem",
    ]
    for body in bodies:
        await place.comment("bo", body)
    place.clock.now += WINDOW
    await place.tick()
    (english,) = place.inbox.texts("anna")
    assert english.startswith("5 new comments on #1 ")
    lines = english.split("\n")
    assert lines[2] == "— " + "x" * 79 + "…"  # shortened to 80 characters
    assert lines[3] == "— Ett två tre"  # no bidi override, no control character, one line
    assert lines[4] == "— 🌳🌳 träd"
    assert lines[5] == "…and 2 more comments" and "fyra" not in english
    (arabic,) = place.inbox.got["dana"]
    assert arabic.rtl and "5 تعليقات جديدة على #1" in arabic.text
    assert "…و2 تعليقان آخران" in arabic.text
