"""Redelivered updates, the webhook secret, stale buttons, ordering and odd updates."""

from __future__ import annotations

from sqlalchemy import func, select, text

from budgeting.models import Comment, Participant, ProcessedUpdate, Proposal
from budgeting.phases import Phase
from dialogs.types import Button, Reply
from tests.bot.channels.telegram.harness import (
    SECRET,
    SQLITE_ONLY,
    Resident,
    Telegram,
    expect,
    shown,
    start_in_english,
)

STALE = "That button is no longer active."


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_a_redelivered_update_changes_nothing(
    seeded, telegram: Telegram, make_telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    erik = telegram.resident(2001, "Erik")
    await start_in_english(erik)
    await erik.say("/browse")
    await erik.press("Säter town")
    await erik.press("#1 Fler")
    await erik.press("Write a comment")
    update = telegram.fake.message_update(erik.user, text="A comment that must appear once.")
    await erik.step("comment", update)
    comments, processed = await count(sessions, Comment), await count(sessions, ProcessedUpdate)
    before = len(telegram.fake.calls)

    if telegram.mode == "webhook":  # Telegram retries when it missed our 200
        assert await telegram.post(update) == 200
        await telegram.channel.drain()
    else:  # the process restarted after the commit, before confirming the offset
        telegram.listening.cancel()
        restarted = await make_telegram("polling")
        before = len(telegram.fake.calls)
        telegram.fake.confirmed = 0
        await restarted.deliver(update)

    assert await count(sessions, Comment) == comments
    assert await count(sessions, ProcessedUpdate) == processed
    sent = [c for c in telegram.fake.calls[before:] if c.method != "getUpdates"]
    assert sent == []


async def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(
    seeded, make_telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    user = telegram.fake.user(2002, "Fia")
    update = telegram.fake.message_update(user, text="/start")
    before, participants = len(telegram.fake.calls), await count(sessions, Participant)

    assert await telegram.post(update, secret=None) == 401
    assert await telegram.post(update, secret="wrong-secret") == 403
    assert await telegram.post(update, secret=SECRET[:-1]) == 403
    assert await telegram.post(update, secret=SECRET + "x") == 403
    await telegram.channel.drain()
    assert telegram.fake.calls[before:] == []
    assert await count(sessions, Participant) == participants
    assert await count(sessions, ProcessedUpdate) == 0

    # the same update with the right secret is handled: nothing was recorded before
    assert await telegram.deliver(update) == 200
    assert "Which language do you prefer?" in shown(telegram.fake.calls[before:])
    assert await count(sessions, ProcessedUpdate) == 1


async def test_malformed_and_ignored_updates(seeded, make_telegram, sessions) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("webhook")
    assert telegram.client is not None
    response = await telegram.client.post(
        "/telegram/webhook",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 400
    wrong_method = await telegram.client.get("/telegram/webhook")
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    login = await telegram.client.get("/admin/login")  # the staff app behind the webhook
    assert login.status_code == 200 and "x-frame-options" in login.headers
    user = telegram.fake.user(2003, "Gus")
    group = telegram.fake.message_update(user, text="/start")
    group["message"]["chat"] = {"id": -100200300, "type": "supergroup", "title": "Säter"}
    edited = {"update_id": 1, "edited_message": telegram.fake.message_update(user, "x")["message"]}
    in_group = {
        **group["message"],
        "from": {"id": 4242, "is_bot": True, "first_name": "budgetbot"},
        "reply_markup": {"inline_keyboard": [[{"text": "Vote", "callback_data": "vote"}]]},
    }
    pressed = telegram.fake.button_update(user, in_group, "Vote")
    before, participants = len(telegram.fake.calls), await count(sessions, Participant)
    assert await telegram.deliver(group) == 200
    assert await telegram.deliver(edited) == 200
    assert await telegram.deliver(pressed) == 200
    assert telegram.fake.calls[before:] == []
    assert await count(sessions, Participant) == participants


async def test_stale_buttons_get_a_clear_answer(seeded, telegram: Telegram, sessions) -> None:
    await seeded(Phase.IDEAS)
    erik, alice = telegram.resident(2004, "Erik"), telegram.resident(2005, "Alice")
    await start_in_english(erik)
    await start_in_english(alice)

    # a withdrawn proposal
    await erik.say("/propose")
    await erik.press("Gustavsbo")
    await erik.say("Boules for all")
    await erik.say("A boules court next to the community hall.")
    await erik.say("30000")
    await erik.press("Skip")
    await erik.press("Submit")
    async with sessions() as session:
        idea = (
            await session.scalars(select(Proposal).where(Proposal.title == "Boules for all"))
        ).one()
    await alice.say("/browse")
    await alice.press("Gustavsbo")
    listing = alice.message_with(f"#{idea.id} Boules")
    await erik.say("/ideas")
    await erik.press("Boules for all")
    await erik.press("Withdraw")
    expect(erik, await erik.press("Yes, withdraw"), "has been withdrawn")
    expect(
        alice, await alice.press(f"#{idea.id} Boules", listing), "That proposal is not available."
    )

    # a closed phase: the ranking builder after voting closed
    await seeded(Phase.VOTING)
    await alice.say("/vote")
    await alice.press("Säter town")
    builder = alice.message_with("#1 Fler")
    await seeded(Phase.DECISION)
    expect(alice, await alice.press("#1 Fler", builder), "Voting is not open now")

    # an old message: the review of a ballot already cast
    await seeded(Phase.VOTING)
    await alice.say("/vote")
    await alice.press("Säter town")
    for label in ("#1 Fler", "#2 Utegym", "#3 Belysning"):
        await alice.press(label)
    review = alice.message_with("Confirm")
    expect(alice, await alice.press("Confirm"), "your ballot is registered")
    expect(alice, await alice.press("Undo", review), STALE, "[Vote]")

    # a forged payload
    forged = telegram.fake.button_update(alice.user, review, "Confirm")
    forged["callback_query"]["data"] = "vote:pick:99999"
    expect(alice, await alice.step("forged", forged), STALE)

    assert all(telegram.fake.callbacks.values())  # every press answered
    assert all(c.ok or c.method == "editMessageText" for c in telegram.fake.calls)


async def test_one_chats_updates_are_handled_in_order(seeded, make_telegram) -> None:
    await seeded(Phase.IDEAS)
    telegram = await make_telegram("polling")
    fake = telegram.fake
    residents = [telegram.resident(2010 + i, f"R{i}") for i in range(4)]
    script = ["/start", "English", "/propose", "Säter town", "Ordered title"]
    batch = [fake.message_update(r.user, text=text) for text in script for r in residents]
    for update in batch:  # one getUpdates answer with every update, chats interleaved
        fake.enqueue(update)
    await fake.wait_confirmed(batch[-1]["update_id"])
    await telegram.channel.drain()
    for resident in residents:
        texts = [c.text for c in fake.calls if c.chat_id == resident.chat_id and c.ok]
        assert "Which language" in texts[0]
        assert texts[-3].startswith("Which area is your idea for?")
        assert texts[-2].startswith("Area: Säter town. Give your idea a short title")
        assert texts[-1].startswith("Describe your idea")
        assert len(texts) == 7


@SQLITE_ONLY
async def test_a_photo_message_is_not_edited_but_answered_anew(make_telegram) -> None:
    telegram = await make_telegram("webhook")
    resident: Resident = telegram.resident(2020, "Hugo")
    sizes = telegram.fake.photo_sizes()
    telegram.channel.replies.deliver(
        resident.chat_id,
        [Reply("A card", ((Button("Next", "menu"),),), image=sizes[-1]["file_id"])],
    )
    await telegram.channel.drain()
    card = telegram.fake.bot_messages(resident.chat_id)[-1]
    before = len(telegram.fake.calls)
    telegram.channel.replies.deliver(
        resident.chat_id, [Reply("Edited?", replaces_previous=True)], card["message_id"]
    )
    await telegram.channel.drain()
    calls = telegram.fake.calls[before:]
    assert [(c.method, c.status) for c in calls] == [("editMessageText", 400), ("sendMessage", 200)]


async def test_an_update_that_keeps_failing_is_given_up_with_an_apology(
    seeded, telegram: Telegram, sessions
) -> None:
    await seeded(Phase.IDEAS)
    kim = telegram.resident(2030, "Kim", language_code="sv")
    update = telegram.fake.message_update(kim.user, text="/start")
    async with sessions() as session, session.begin():  # the database breaks
        await session.execute(text("ALTER TABLE processed_updates RENAME TO processed_away"))
    try:
        before = len(telegram.fake.calls)
        if telegram.mode == "webhook":  # Telegram delivers it again after each 500
            assert [await telegram.post(update) for _ in range(3)] == [500, 500, 200]
            await telegram.channel.drain()
        else:  # polling tries it again, then moves on
            await telegram.deliver(update)
        sent = [c for c in telegram.fake.calls[before:] if c.method == "sendMessage"]
        assert [c.text for c in sent] == [
            "Förlåt, något gick fel hos oss. Försök igen om en liten stund."
        ]
    finally:
        async with sessions() as session, session.begin():
            await session.execute(text("ALTER TABLE processed_away RENAME TO processed_updates"))
    expect(kim, await kim.say("/start"), "Which language do you prefer?")  # working again
