"""Residents flag comments in the chat: the reasons, thanks, refusals, and three different
residents hiding a comment at once, its writer told why (sv, en, ar)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import (
    Comment,
    CommentFlag,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
)
from budgeting.phases import Phase
from dialogs.notifications import notification_replies
from tests.dialogs.conftest import rendered

MAMMA = "Bra idé, min mamma skulle gå längre med fler bänkar."


def words(lang: str, msgid: str) -> str:
    """The translated message up to its first placeholder."""
    return translator(lang).gettext(msgid).split("{")[0].strip()


async def joined(chat, user: str, lang: str):
    """A resident who chose ``lang`` and is in TOWN."""
    resident = chat(user)
    await resident.run([("/start", LANGUAGES[lang]), (LANGUAGES[lang], "2027")])
    return resident


async def flag_count(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(CommentFlag))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_a_resident_flags_a_comment_in_each_language(lang, seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    t = translator(lang)
    resident = await joined(chat, f"flagger-{lang}", lang)
    out = await resident.send(payload="discussion:page:1:1")
    assert MAMMA in out and f"[{t.gettext('Report a comment')}]" in out
    out = await resident.send(payload=resident.payload_of(t.gettext("Report a comment")))
    assert words(lang, "Which comment do you want to report to the moderators?") in out
    out = await resident.send(payload=resident.payload_of("«"))
    assert words(lang, "Why are you reporting this comment?") in out
    for label in (
        "Offensive or a personal attack",
        "Personal data about someone",
        "Spam or advertising",
        "Off topic",
        "Something else",
    ):
        assert f"[{t.gettext(label)}]" in out
    assert all(reply.rtl == (lang == "ar") for reply in resident.last)
    if lang != "en":
        assert "Why are you reporting" not in out  # nothing falls back to English
    ask = resident.last
    out = await resident.send(payload=resident.payload_of(t.gettext("Spam or advertising")))
    assert t.gettext("Thank you. A moderator will look at the comment.") in out
    async with sessions() as session:
        [flag] = (await session.scalars(select(CommentFlag))).all()
        assert flag.reason == "spam" and flag.resolved_at is None
    # the same button again, or the comment again: already flagged, nothing changes
    resident.last = ask
    out = await resident.send(payload=resident.payload_of(t.gettext("Off topic")))
    assert t.gettext("You have already reported this comment. Thank you.") in out
    out = await resident.send(payload="flag:ask:1")
    assert t.gettext("You have already reported this comment. Thank you.") in out
    assert await flag_count(sessions) == 1


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_an_own_comment_cannot_be_flagged(lang, seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    t = translator(lang)
    writer = await joined(chat, f"writer-{lang}", lang)
    await writer.send(payload="discussion:write:2")
    await writer.send("Ett utegym vore toppen!")
    await writer.send(payload="discussion:sign:pseudonym")
    async with sessions() as session:
        own = (await session.scalars(select(Comment).where(Comment.proposal_id == 2))).one()
    out = await writer.send(payload="flag:pick:2")  # their own is the only comment
    assert t.gettext("There is no comment by someone else to report here.") in out
    out = await writer.send(payload=f"flag:ask:{own.id}")
    assert t.gettext("You cannot report your own comment.") in out
    out = await writer.send(payload=f"flag:why:{own.id}:offensive")
    assert t.gettext("You cannot report your own comment.") in out
    assert await flag_count(sessions) == 0


async def test_three_residents_hide_a_comment_and_its_writer_is_told(
    seeded, chat, sessions
) -> None:
    await seeded(Phase.IDEAS)
    langs = ("en", "sv", "ar")
    reasons = ("offensive", "offensive", "spam")
    for n, (lang, reason) in enumerate(zip(langs, reasons, strict=True), start=1):
        resident = await joined(chat, f"neighbour-{n}", lang)
        out = await resident.send(payload=f"flag:why:1:{reason}")
        t = translator(lang)
        if n < 3:
            assert t.gettext("Thank you. A moderator will look at the comment.") in out
            async with sessions() as session:
                assert (await session.get(Comment, 1)).hidden_reason is None
        else:
            assert t.gettext(
                "Thank you. The comment is hidden until a moderator has looked at it."
            ) in out
    async with sessions() as session:
        comment = await session.get(Comment, 1)
        assert comment.hidden_by_flags and comment.hidden_reason == "offensive"
        assert comment.hidden_at is not None
        [note] = (
            await session.scalars(
                select(Notification).where(
                    Notification.kind == NotificationKind.COMMENT_HIDDEN.value
                )
            )
        ).all()
        assert note.participant_id == comment.author_id
        assert note.payload["params"] == {
            "proposal_id": 1,
            "comment_id": 1,
            "flag_reason": "offensive",
            "flags": 3,
        }
        writer = await session.get(Participant, comment.author_id)
        for lang in LANGUAGES:
            writer.locale = lang
            t = translator(lang)
            text = rendered(await notification_replies(session, note, writer))
            assert t.ngettext(
                "Your comment on {title} is hidden for now: {n} resident reported it.",
                "Your comment on {title} is hidden for now: {n} residents reported it.",
                3,
            ).format(title="#1 Fler bänkar längs Ljusterån", n=t.number(3)) in text
            reason = t.gettext("Offensive or a personal attack")
            assert t.gettext("The reason given most: {reason}.").format(reason=reason) in text
            assert MAMMA[:40] in text
    # others no longer see it, and cannot flag it any more
    other = await joined(chat, "neighbour-4", "en")
    out = await other.send(payload="discussion:page:1:1")
    assert MAMMA not in out and "No comments yet" in out
    assert "1 comment" not in await other.send(payload="browse:open:1")
    out = await other.send(payload="flag:why:1:spam")
    assert "That comment is no longer shown." in out
    assert await flag_count(sessions) == 3


@pytest.mark.parametrize(
    "payload",
    [
        "flag:why:1:nonsense",
        "flag:why:1",
        "flag:why:1:spam:extra",
        "flag:ask:99999999999999999999",
        "flag:ask:-1",
        "flag:ask:abc",
        "flag:why:2147483647:spam",
        "flag:pick:99999999999",
        "flag:pick:5",  # the rejected proposal is not shown to residents
        "flag:ask:",
    ],
)
async def test_stale_and_forged_flag_buttons_change_nothing(
    payload, seeded, chat, sessions
) -> None:
    await seeded(Phase.IDEAS)
    resident = await joined(chat, "forger", "en")
    out = await resident.send(payload=payload)
    assert any(
        answer in out
        for answer in (
            "That button is no longer active.",
            "That comment is no longer shown.",
            "That proposal is not available.",
        )
    ), out
    assert await flag_count(sessions) == 0
    async with sessions() as session:
        assert (await session.get(Comment, 1)).hidden_reason is None
        assert (await session.get(Proposal, 1)) is not None


async def test_flags_given_are_in_mydata_and_erased_by_forget(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    resident = await joined(chat, "careful", "en")
    await resident.send(payload="flag:why:1:personal_data")
    await resident.run(
        [
            ("/mydata", "Comments you reported: 1"),
            ("/forget", "Erase now?"),
            ("Yes, erase my data", "has been erased"),
        ]
    )
    assert await flag_count(sessions) == 0
    async with sessions() as session:
        assert (await session.get(Comment, 1)).hidden_reason is None
