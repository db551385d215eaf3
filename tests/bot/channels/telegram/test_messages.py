"""Replies as Bot API calls: keyboards with ids, photos, edits, long texts, right-to-left."""

from __future__ import annotations

from aiogram.methods import EditMessageText, SendMessage, SendPhoto

from bot.channels.telegram.messages import RLM, right_to_left, split_text, telegram_calls, utf16_len
from dialogs.types import Button, Reply

FILE_ID = "AgACAgQAAxkBAAIBY2ZfakeFileIdOfAPhoto_0123456789"


def test_buttons_carry_payloads_and_text_has_no_markup() -> None:
    reply = Reply(
        "Pick <b>one</b>", ((Button("#1 Benches", "vote:pick:1"), Button("Undo", "vote:undo")),)
    )
    [call] = telegram_calls(42, [reply])
    assert isinstance(call.method, SendMessage)
    assert call.method.text == "Pick <b>one</b>"
    assert call.method.model_dump(exclude_unset=True).get("parse_mode") is None
    rows = call.method.reply_markup.inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [("#1 Benches", "vote:pick:1"), ("Undo", "vote:undo")]
    ]


def test_a_payload_over_64_bytes_is_left_out() -> None:
    reply = Reply("x", ((Button("ok", "menu"),), (Button("bad", "browse:open:" + "9" * 60),)))
    [call] = telegram_calls(1, [reply])
    assert [b.text for row in call.method.reply_markup.inline_keyboard for b in row] == ["ok"]


def test_only_the_first_replacing_reply_edits_the_pressed_message() -> None:
    replies = [
        Reply("ranking", ((Button("Undo", "vu"),),), replaces_previous=True),
        Reply("more", replaces_previous=True),
    ]
    first, second = telegram_calls(7, replies, edit_message_id=99)
    assert isinstance(first.method, EditMessageText) and first.method.message_id == 99
    assert isinstance(first.fallback, SendMessage)  # if the message cannot be edited
    assert isinstance(second.method, SendMessage)
    assert isinstance(telegram_calls(7, replies[:1])[0].method, SendMessage)  # nothing pressed


def test_photos_are_sent_by_file_id_with_the_text_as_caption() -> None:
    [call] = telegram_calls(7, [Reply("An idea", ((Button("Vote", "vote"),),), image=FILE_ID)])
    assert isinstance(call.method, SendPhoto)
    assert (call.method.photo, call.method.caption) == (FILE_ID, "An idea")
    assert call.method.reply_markup is not None
    assert isinstance(call.fallback, SendMessage)  # a photo Telegram refuses: the text alone


def test_a_long_caption_becomes_a_photo_then_the_text() -> None:
    text = "word " * 400
    photo, message = telegram_calls(7, [Reply(text, ((Button("Vote", "vote"),),), image=FILE_ID)])
    assert isinstance(photo.method, SendPhoto) and photo.method.caption is None
    assert message.method.text == text.strip() and message.method.reply_markup is not None


def test_something_that_is_not_a_photo_reference_is_not_sent_as_one() -> None:
    [call] = telegram_calls(7, [Reply("An idea", image="photos/local file.jpg")])
    assert isinstance(call.method, SendMessage)


def test_long_texts_are_split_at_line_breaks_and_buttons_go_last() -> None:
    lines = [f"{i}. " + "😀" * 30 for i in range(200)]  # emoji count twice in UTF-16
    calls = telegram_calls(7, [Reply("\n".join(lines), ((Button("Menu", "menu"),),))])
    assert len(calls) > 1
    assert all(utf16_len(c.method.text) <= 4096 for c in calls)
    assert "\n".join(c.method.text for c in calls) == "\n".join(lines)
    assert [c.method.reply_markup is not None for c in calls] == [False] * (len(calls) - 1) + [True]
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]


def test_right_to_left_lines_get_a_mark_where_they_would_start_left_to_right() -> None:
    text = "تصويتك:\n1. #12 مقاعد\n#3 Benches\nSäter\n\nشكرا"
    assert right_to_left(text).split("\n") == [
        "تصويتك:",
        RLM + "1. #12 مقاعد",
        RLM + "#3 Benches",
        RLM + "Säter",
        "",
        "شكرا",
    ]
    [call] = telegram_calls(7, [Reply(text, ((Button("#1 مقاعد", "vote:pick:1"),),), rtl=True)])
    assert call.method.text == right_to_left(text)
    assert call.method.reply_markup.inline_keyboard[0][0].text == RLM + "#1 مقاعد"
