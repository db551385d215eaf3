"""The resident journey through aiogram and the fake Bot API, in polling and webhook mode."""

from __future__ import annotations

import re

from sqlalchemy import select

from budgeting.models import (
    Ballot,
    ChannelIdentity,
    Participant,
    Proposal,
    Round,
    StaffRole,
    StaffUser,
)
from budgeting.phases import Phase
from budgeting.services.rounds import load_round
from budgeting.services.staff.voting_codes import batch_codes, code_key, issue_batch
from tests.bot.channels.telegram.harness import (
    SQLITE_ONLY,
    Telegram,
    expect,
    methods,
    start_in_english,
)


async def test_resident_journey(seeded, telegram: Telegram, sessions) -> None:
    fake = telegram.fake
    await seeded(Phase.IDEAS)
    alice = telegram.resident(1001, "Alice")
    await start_in_english(alice)

    # learn
    expect(alice, await alice.say("/about"), "A medborgarbudget", "[The steps]")
    expect(alice, await alice.press("The steps"), "▶ 3. Ideas")

    # propose, with a photo
    expect(alice, await alice.say("/propose"), "Which area is your idea for?")
    expect(alice, await alice.press("Säter town"), "short title")
    expect(alice, await alice.say("Park benches 🌳"), "Describe your idea")
    expect(alice, await alice.say("Benches along the river walk for older residents."), "cost")
    expect(alice, await alice.say("45000"), "add a photo", "[Skip]")
    file_id, calls = await alice.send_photo()
    expect(alice, calls, "Please check your idea", "Park benches 🌳", "[Submit]")
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert photo.params["photo"] == file_id  # the largest size, sent back by file_id
    assert "parse_mode" not in photo.params
    out = expect(alice, await alice.press("Submit"), "has been submitted")
    idea_id = int(re.search(r"idea #(\d+)", out).group(1))
    async with sessions() as session:
        idea = await session.get(Proposal, idea_id)
    assert idea.photo_ref == file_id and idea.title == "Park benches 🌳"

    # browse and comment
    expect(alice, await alice.say("/browse"), "Which area do you want to look at?")
    expect(alice, await alice.press("Säter town"), "Proposals in Säter town:", "Park benches")
    calls = await alice.press(f"#{idea_id} Park benches")
    assert [c.params["photo"] for c in calls if c.method == "sendPhoto"] == [file_id]
    expect(alice, calls, "Benches along the river walk", "[Write a comment]")
    expect(alice, await alice.press("Write a comment"), f"Write your comment on #{idea_id}")
    calls = await alice.say("Yes please, <b>more</b> benches! *now*")
    expect(alice, calls, "Sign with the name Resident", "[Choose my own name]")
    expect(alice, await alice.press("Choose my own name"), "Write the name")
    calls = await alice.say("River walker")
    expect(alice, calls, "your comment is published", "1. River walker · today")
    expect(alice, await alice.press(f"Back to #{idea_id}"), "1 comment", "[Read comments]")
    calls = await alice.press("Read comments")
    expect(alice, calls, "River walker · today", "Yes please, <b>more</b> benches! *now*")
    assert all("parse_mode" not in c.params for c in fake.calls if c.method == "sendMessage")

    # vote: the ranking builder edits its own message
    await seeded(Phase.VOTING)
    expect(alice, await alice.say("/vote"), "Which area do you live in?")
    calls = await alice.press("Säter town")
    expect(alice, calls, "Rank up to 3 projects", "Choose your #1:")
    assert methods(calls) == ["editMessageText"]  # the area question becomes the builder
    builder_id = calls[0].params["message_id"]
    assert builder_id == alice.message_with("#1 Fler")["message_id"]
    for label, rank in (("#1 Fler bänkar", "#2"), ("#2 Utegym", "#3")):
        calls = await alice.press(label)
        assert methods(calls) == ["editMessageText"], alice.history()
        assert calls[0].params["message_id"] == builder_id
        expect(alice, calls, "Your ranking so far:", f"Choose your {rank}:")
    calls = await alice.press("#3 Belysning")
    assert methods(calls) == ["editMessageText"]
    expect(alice, calls, "Your ballot:", "3. #3 Belysning", "Cast this ballot?", "[Confirm]")
    out = expect(alice, await alice.press("Confirm"), "your ballot is registered", "receipt code")
    receipt = re.search(r"receipt code: (\S+)", out).group(1)
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot))).one()
    assert ballot.receipt_code == receipt
    assert [r.proposal_id for r in ballot.ranks] == [1, 2, 3]

    # results
    await seeded(Phase.DECISION)
    expect(
        alice, await alice.say("/results"), "Result of the vote, project by project:", "Säter town"
    )

    # every button press was answered, exactly once
    answered = [
        c.params["callback_query_id"] for c in fake.calls if c.method == "answerCallbackQuery"
    ]
    assert sorted(answered) == sorted(fake.callbacks) and len(set(answered)) == len(answered)
    assert all(fake.callbacks.values())
    via = {c.via for c in fake.calls if c.method == "answerCallbackQuery"}
    assert via == ({"webhook reply"} if telegram.mode == "webhook" else {"request"})


@SQLITE_ONLY
async def test_commands_are_registered_per_language(telegram: Telegram) -> None:
    commands = telegram.fake.commands
    assert set(commands) == {None, "en", "ar"}
    default = {c["command"]: c["description"] for c in commands[None]}
    english = {c["command"]: c["description"] for c in commands["en"]}
    assert english["vote"] == "vote on the projects of your area"
    assert default["vote"] != english["vote"]  # Swedish is the default
    assert list(default) == [c["command"] for c in commands["ar"]]
    assert telegram.channel.username == "budgetbot_test_bot"
    webhook = telegram.fake.webhook
    if telegram.mode == "webhook":
        assert webhook["url"] == "https://budgetbot.example.org/telegram/webhook"
        assert webhook["secret_token"] == "s3cret-Token_for-the-webhook"
        assert webhook["allowed_updates"] == ["message", "callback_query"]
    else:
        assert webhook is None


async def test_deep_links_open_a_proposal_and_record_the_campaign(
    seeded, make_telegram, sessions
) -> None:
    await seeded(Phase.VOTING)
    telegram = await make_telegram("webhook")
    bo = telegram.resident(1002, "Bo")
    await bo.say("/start p_2")
    expect(bo, await bo.press("English"), "#2 Utegym", "[Read comments]")
    cai = telegram.resident(1003, "Cai")
    await cai.say("/start c_poster-station")
    await cai.press("English")
    async with sessions() as session:
        campaign = await session.scalar(
            select(Participant.campaign)
            .join(ChannelIdentity)
            .where(ChannelIdentity.external_id == "1003")
        )
    assert campaign == "poster-station"


async def test_a_letters_link_starts_voting_with_its_code(seeded, make_telegram, sessions) -> None:
    town = await seeded(Phase.VOTING)
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, town.id)
        round_.requires_voting_code = True
        staff = StaffUser(email="admin@sater.example", password_hash="-", role=StaffRole.ADMIN)
        session.add(staff)
        await session.flush()
        key = code_key("telegram test secret")
        batch, _ = await issue_batch(
            session, staff, await load_round(session, town.id), None, 1, "t" * 24, key
        )
        ((_letter, code),) = await batch_codes(session, batch, key)
    telegram = await make_telegram("webhook")
    eva = telegram.resident(1005, "Eva")
    await eva.say(f"/start code-{code}")  # what Telegram sends for t.me/<bot>?start=code-…
    expect(eva, await eva.press("English"), "voting code is accepted", "Which area")


@SQLITE_ONLY
async def test_arabic_reads_right_to_left(seeded, make_telegram) -> None:
    await seeded(Phase.VOTING)
    telegram = await make_telegram("webhook")
    dana = telegram.resident(1004, "Dana", language_code="ar")
    await dana.say("/start")
    await dana.press("العربية")
    calls = await dana.say("/vote")
    await dana.press(next(lbl for c in calls for lbl in c.labels))  # the first area
    builder = dana.telegram.fake.bot_messages(dana.chat_id)[-1]
    for line in builder["text"].split("\n"):
        if line and not re.match(r"[\u0600-\u06ff]", line):
            assert line.startswith("\u200f"), f"no RLM before {line!r}"
    labels = [b["text"] for row in builder["reply_markup"]["inline_keyboard"] for b in row]
    assert any(label.startswith("\u200f#") for label in labels)
