"""How replies look in Teams (pure rendering, no database)."""

from __future__ import annotations

from bot.channels.teams.cards import adaptive_card, reply_activity, submitted_payload
from dialogs.types import Button, Reply


def as_json(reply: Reply) -> dict:
    return reply_activity(reply).model_dump(mode="json", by_alias=True, exclude_none=True)


def test_text_without_buttons_is_plain_text() -> None:
    activity = as_json(Reply("Hello *there* <b>you</b>"))
    assert activity["text"] == "Hello *there* <b>you</b>"
    assert activity["textFormat"] == "plain"
    assert "attachments" not in activity and "suggestedActions" not in activity


def test_up_to_three_buttons_are_imback_suggested_actions() -> None:
    reply = Reply(
        "Submit it?", buttons=((Button("Submit", "propose:submit"), Button("Start over", "x")),)
    )
    activity = as_json(reply)
    assert activity["suggestedActions"]["actions"] == [
        {"type": "imBack", "title": "Submit", "value": "Submit"},
        {"type": "imBack", "title": "Start over", "value": "Start over"},
    ]


def test_more_buttons_make_an_adaptive_card_with_payloads() -> None:
    reply = Reply(
        "Menu\n\nWhat would you like to do?",
        buttons=tuple((Button(f"Option {i}", f"opt:{i}"),) for i in range(4))
        + ((Button("Undo", "vu"), Button("Done", "vote:done")),),
    )
    activity = as_json(reply)
    assert "text" not in activity and activity["summary"] == "Menu"
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    body = attachment["content"]["body"]
    assert [b["text"] for b in body if b["type"] == "TextBlock"] == [
        "Menu",
        "What would you like to do?",
    ]
    assert body[1]["spacing"] == "Medium"  # the blank line
    rows = [b["actions"] for b in body if b["type"] == "ActionSet"]
    assert len(rows) == 5 and len(rows[-1]) == 2
    assert rows[0][0] == {
        "type": "Action.Submit",
        "title": "Option 0",
        "data": {"payload": "opt:0"},
    }


def test_a_reply_that_replaces_the_previous_one_is_a_card() -> None:
    reply = Reply(
        "Choose your #2:", buttons=((Button("Done", "vote:done"),),), replaces_previous=True
    )
    assert as_json(reply)["attachments"]


def test_proposal_card_has_a_heading_and_only_web_images() -> None:
    text = "#12 Benches by the river\nArea: Säter town\nCost: 60 000 kr"
    buttons = ((Button("Follow", "browse:follow:12"),),)
    card = adaptive_card(Reply(text, buttons=buttons, image="https://example.org/bench.jpg"))
    heading = card["body"][0]
    assert heading["text"] == "#12 Benches by the river" and heading["weight"] == "Bolder"
    assert {"type": "Image", "url": "https://example.org/bench.jpg"}.items() <= next(
        b for b in card["body"] if b["type"] == "Image"
    ).items()
    telegram_photo = adaptive_card(Reply(text, buttons=buttons, image="AgACAgQAAxkBAAI"))
    assert not [b for b in telegram_photo["body"] if b["type"] == "Image"]


def test_right_to_left_cards() -> None:
    card = adaptive_card(Reply("مرحبا", buttons=((Button("القائمة", "menu"),),), rtl=True))
    assert card["rtl"] is True


def test_submitted_payload() -> None:
    assert submitted_payload({"payload": "vote:pick:3"}) == "vote:pick:3"
    assert submitted_payload({"payload": 3}) is None
    assert submitted_payload("vote:pick:3") is None
    assert submitted_payload(None) is None
