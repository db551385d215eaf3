"""The discussion of a proposal as transcripts: names and dates, pages, replies, agreement,
supports, text typed under a proposal, and what /forget leaves behind; in sv, en and ar."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from budgeting.models import Comment, CommentAgreement, Participant, Proposal, Round, Support
from budgeting.phases import Phase
from budgeting.services import rules
from tests.dialogs.transcripts import START_ENGLISH

START_SWEDISH = [("/start", "[Svenska]"), ("Svenska", "Medborgarbudget Säter 2027")]
START_ARABIC = [("/start", "[العربية]"), ("العربية", "الميزانية التشاركية في سيتر 2027")]
OPEN_2 = "browse:open:2"


async def pseudonym(sessions, user: str) -> int:
    """The pseudonym number of the console participant ``user``."""
    async with sessions() as session:
        pid = await session.scalar(select(Participant.id).where(Participant.display_name == user))
    return rules.pseudonym_number(pid)


async def comments_on_2(sessions) -> list[Comment]:
    async with sessions() as session:
        stmt = select(Comment).where(Comment.proposal_id == 2).order_by(Comment.id)
        return list((await session.scalars(stmt)).all())


async def test_names_dates_reply_and_agreement_in_swedish(seeded, chat, sessions, clock) -> None:
    await seeded(Phase.IDEAS)
    anna, bo = chat("anna"), chat("bo")
    await anna.run(
        [
            *START_SWEDISH,
            ("/browse", "Vilket område"),
            ("Säter tätort", "#2 Utegym"),
        ]
    )
    await anna.send(payload=OPEN_2)
    await anna.run(
        [
            ("Skriv en kommentar", "Skriv din kommentar till #2"),
            ("Ett utegym vore toppen för oss pensionärer.", ["Skriv under som Invånare"]),
            ("Välj ett eget namn", "Skriv namnet"),
            ("A", "Namnet behöver 2 till 40 tecken"),
            ("Invånare 1234", "liknar en pseudonym"),
            ("\u202eAnna", "tecken som inte kan visas"),
            ("Anna på torget 🌳", "din kommentar är publicerad"),
        ]
    )
    out = anna.transcript[-1][1]
    assert re.search(r"1\. Anna på torget 🌳 · i dag \d\d:\d\d", out), out
    assert "1 kommentar, nyaste först; sida 1 av 1" in out
    await bo.run(START_SWEDISH)
    await bo.send(payload=OPEN_2)
    await bo.run(
        [
            ("Läs kommentarer", ["Anna på torget 🌳 · i dag", "[↪ Svara på 1]", "[👍 Håll med 1]"]),
            ("↪ Svara på 1", "Skriv ditt svar till Anna på torget 🌳: «Ett utegym vore"),
            ("Håller med, och gärna med belysning!", "Skriv under som Invånare"),
            ("1", "ditt svar är publicerat"),
        ]
    )
    number = await pseudonym(sessions, "bo")
    page = bo.transcript[-1][1]
    assert f"1. Invånare {number} · i dag" in page
    assert "↪ svar till Anna på torget 🌳: «Ett utegym vore toppen för oss" in page
    await anna.send(payload=OPEN_2)
    await anna.run(
        [
            ("Läs kommentarer", f"Invånare {number}"),
            ("👍 Håll med 1", [f"👍 Du håller med Invånare {number}", "1 person håller med."]),
            ("Tillbaka till kommentarerna", ["👍 1 håller med", "[👍 Ta tillbaka 1]"]),
            ("👍 Håll med 2", "Det är din egen kommentar"),
            ("👍 Ta tillbaka 1", "Du håller inte längre med"),
        ]
    )
    replies = await comments_on_2(sessions)
    assert [c.reply_to_id for c in replies] == [None, replies[0].id]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CommentAgreement)) == 0
        await session.execute(  # written yesterday, and ten days ago
            update(Comment)
            .where(Comment.id == replies[0].id)
            .values(created_at=clock.now - timedelta(days=10))
        )
        await session.execute(
            update(Comment)
            .where(Comment.id == replies[1].id)
            .values(created_at=clock.now - timedelta(days=1))
        )
        await session.commit()
    await bo.send(payload="discussion:page:2:1")
    assert re.search(r"Invånare \d+ · i går \d\d:\d\d", bo.transcript[-1][1])
    assert re.search(r"Anna på torget 🌳 · \d+ \w+\.? \d\d:\d\d", bo.transcript[-1][1])
    # Bo's second comment: the name is not asked again
    await bo.run(
        [
            ("Skriv en kommentar", "Skriv din kommentar"),
            ("Och bänkar!", "din kommentar är publicerad"),
            # a reply to Bo's reply (now 2nd) joins the thread Anna opened, and quotes her
            ("↪ Svara på 2", "Skriv ditt svar till Anna på torget 🌳: «Ett utegym"),
            ("Ja, belysning också.", "ditt svar är publicerat"),
        ]
    )
    *_, last = await comments_on_2(sessions)
    assert last.reply_to_id == replies[0].id


async def test_pages_newest_first_in_english(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    async with sessions() as session:
        session.add_all(
            Comment(proposal_id=2, author_id=1, body=f"Comment number {n}") for n in range(1, 13)
        )
        session.add(Comment(proposal_id=2, author_id=2, body="Rude words", hidden_reason="rude"))
        await session.commit()
    eve = chat("eve")
    await eve.run(START_ENGLISH)
    await eve.send(payload=OPEN_2)
    await eve.run(
        [
            (
                "Read comments",
                ["12 comments, newest first; page 1 of 3", "Comment number 12", "[◀ Older]"],
            ),
            ("◀ Older", ["page 2 of 3", "6. Resident", "Comment number 7", "[Newer ▶]"]),
            ("◀ Older", ["page 3 of 3", "Comment number 1", "[Newer ▶]"]),
        ]
    )
    assert "[◀ Older]" not in eve.transcript[-1][1]
    assert "Rude words" not in "".join(out for _m, out in eve.transcript)
    assert "Comment number 12" not in eve.transcript[-1][1]
    for forged, expected in [
        ("discussion:page:2:999", "page 3 of 3"),  # past the end: the last page
        ("discussion:page:2:x", "That button is no longer active"),
        ("discussion:page:2", "That button is no longer active"),
        ("discussion:page:99999999999:1", "That button is no longer active"),
        ("discussion:page:999:1", "That proposal is not available"),
        ("discussion:page:5:1", "That proposal is not available"),  # rejected
    ]:
        assert expected in await eve.send(payload=forged), forged


async def test_free_text_under_a_proposal_and_bad_input(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    fay = chat("fay")
    await fay.run(START_ENGLISH)
    await fay.send(payload=OPEN_2)
    await fay.run(
        [
            ("x" * 10_000, "The comment is 10000 characters long; the limit is 1000"),
            ("x" * 10_001, "I can read at most 10000"),
            ("I would use it every morning", ["Post this as a comment on #2", "[Yes, post it]"]),
            ("No", "Nothing was posted."),
            ("Back to #2", "#2 Utegym"),
            ("🌳🌳👍", "Post this as a comment on #2"),
            ("Yes, post it", "Sign as Resident"),
            ("Choose my own name", "Write the name"),
            ("Fay 👩‍👩‍👧", ["your comment is published", "1. Fay 👩‍👩‍👧 · today", "🌳🌳👍"]),
        ]
    )
    assert [c.body for c in await comments_on_2(sessions)] == ["🌳🌳👍"]
    for forged, expected in [
        ("discussion:post", "That button is no longer active"),
        ("discussion:sign:pseudonym", "That button is no longer active"),
        ("discussion:agree:999999:1", "That comment is not available"),
        ("discussion:agree:99999999999999:1", "That button is no longer active"),
        ("discussion:reply:999999", "That comment is not available"),
        ("discussion:reply:🌳", "That button is no longer active"),
        ("discussion:support:99999999999", "That button is no longer active"),
        ("discussion:rename:nobody", "That button is no longer active"),
    ]:
        assert expected in await fay.send(payload=forged), forged
    gus = chat("gus")
    await gus.run([*START_ENGLISH, ("/settings", "Public name: Resident")])
    await gus.run(
        [
            ("Public name", "[Choose my own name]"),
            ("Choose my own name", "Write the name"),
            ("fay 👩‍👩‍👧", "Someone else already signs with that name"),
            ("deleted user", "looks like a pseudonym"),
            ("Gus", "Public name: Gus"),
        ]
    )
    async with sessions() as session:
        comment = (await session.scalars(select(Comment))).first()
        comment.hidden_reason = "rude"
        await session.commit()
    assert "That comment is not available" in await gus.send(
        payload=f"discussion:reply:{comment.id}"
    )
    assert "That comment is not available" in await gus.send(
        payload=f"discussion:agree:{comment.id}:1"
    )


async def test_support_in_arabic_only_in_the_ideas_phase(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    hala, ivar = chat("hala"), chat("ivar")
    await hala.run(START_ARABIC)
    await hala.send(payload=OPEN_2)
    assert "لا أحد يدعم هذه الفكرة بعد (0)." in hala.transcript[-1][1]
    await hala.run(
        [
            ("👍 ادعم هذه الفكرة", ["شكرًا: أنت تدعم #2", "شخص واحد يدعم هذه الفكرة."]),
            ("العودة إلى #2", ["شخص واحد يدعم هذه الفكرة.", "[أنت تدعم هذه الفكرة ✓]"]),
            ("أنت تدعم هذه الفكرة ✓", "أنت تدعم #2 Utegym vid Säterdalen بالفعل."),
        ]
    )
    await hala.send(payload="discussion:page:1:1")
    assert re.search(r"1\. ساكن \d{4} · اليوم \d\d:\d\d", hala.transcript[-1][1])
    await hala.run(
        [
            ("👍 أوافق على 1", ["👍 أنت توافق على ما قاله ساكن", "شخص واحد يوافق."]),
            ("العودة إلى التعليقات", "[👍 سحب الموافقة على 1]"),
            ("↪ الرد على 1", "اكتب ردك على ساكن"),
            ("فكرة جميلة 🌳", "التوقيع باسم ساكن"),
            ("1", ["شكرًا، تم نشر ردك.", "↪ ردًا على ساكن", "«Bra idé, min mamma"]),
        ]
    )
    await ivar.run(START_ENGLISH)
    await ivar.send(payload=OPEN_2)
    assert "1 person supports this idea." in ivar.transcript[-1][1]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Support)) == 1
    await seeded(Phase.VOTING)
    await hala.send(payload=OPEN_2)
    assert "ادعم" not in hala.transcript[-1][1] and "شخص واحد يدعم" in hala.transcript[-1][1]
    refused = await hala.send(payload="discussion:support:3")
    assert "لا يمكن دعم الأفكار إلا أثناء جمع الأفكار" in refused
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Support)) == 1


async def test_mydata_and_forget_leave_comments_signed_deleted_user(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    jon, sv, ar = chat("jon"), chat("kim"), chat("lina")
    await jon.run(START_ENGLISH)
    await jon.send(payload=OPEN_2)
    await jon.run(
        [
            ("Nice idea", "Post this as a comment"),
            ("Yes, post it", "Sign as"),
            ("Choose my own name", "Write the name"),
            ("Jon from the hill", "your comment is published"),
            ("/mydata", ["Public name: Jon from the hill", "Comments: 1", "#2: Nice idea"]),
            ("/forget", "comments stay without your name"),
            ("Yes, erase my data", "has been erased"),
        ]
    )
    async with sessions() as session:
        comment = (await session.scalars(select(Comment).where(Comment.proposal_id == 2))).one()
        assert comment.author_id is None and comment.body == "Nice idea"
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.public_name == "Jon from the hill")
            )
            == 0
        )
    await sv.run(START_SWEDISH)
    await sv.send(payload="discussion:page:2:1")
    assert "1. borttagen användare · i dag" in sv.transcript[-1][1]
    await ar.run(START_ARABIC)
    await ar.send(payload="discussion:page:2:1")
    assert "1. مستخدم محذوف · اليوم" in ar.transcript[-1][1]
    fresh = chat("mo")
    await fresh.run([*START_ENGLISH, ("/mydata", "Public name: Resident")])
    assert "(pseudonym)" in fresh.transcript[-1][1]


async def test_staff_answer_and_employee_pseudonyms(seeded, chat, sessions, clock) -> None:
    from budgeting.models import StaffUser
    from budgeting.services import discussion

    town = await seeded(Phase.IDEAS)
    async with sessions() as session, session.begin():
        (await session.get(Round, town.id)).organisation = "Säters kommun"
        staff = StaffUser(email="s@example.org", password_hash="x", role="moderator")
        session.add(staff)
        await session.flush()
        first = (await session.scalars(select(Comment).where(Comment.proposal_id == 1))).one()
        proposal = await session.get(Proposal, 1)
        answer = await discussion.add_staff_answer(
            session, staff, proposal, "Vi tittar på platsen i vår.", reply_to=first, now=clock.now
        )
        assert answer.reply_to_id == first.id
    nils = chat("nils")
    await nils.run(START_SWEDISH)
    out = await nils.send(payload="discussion:page:1:1")
    assert "1. 🏛 Säters kommun · i dag" in out
    assert "↪ svar till Invånare" in out and "«Bra idé, min mamma skulle gå" in out
    worker = chat("olle", channel="teams")
    await worker.run([("/start", "[English]"), ("English", "Employee budget")])
    await worker.send(payload="browse:open:14")
    await worker.run(
        [
            ("Write a comment", "Write your comment on #14"),
            ("Quieter, please.", "Sign as Employee"),
            ("1", ["your comment is published", "1. Employee"]),
        ]
    )
