"""Finding proposals in /browse, in Swedish, English and Arabic: sorted by newest, most
supported and most discussed, found by a word, a page at a time; rejected and merged ideas
stay listed with staff's answer (in the reader's language, or Swedish marked as such) and
a link to the proposal they were merged into.

The round is TOWN (tests/rounds.py): Säter town holds #1-#4 and the rejected #5; #9 in
Gustavsbo is merged into #7.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import (
    Area,
    Comment,
    ImplementationUpdate,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
    StaffUser,
    Support,
)
from budgeting.phases import Phase
from budgeting.services.staff import review
from dialogs.notifications import notification_replies
from dialogs.routing import PAYLOAD_LIMIT
from tests.dialogs.conftest import Chat

LANGS = sorted(LANGUAGES)
REASON_SV = "Kostar mer än hela budgeten."


def gettext(lang: str, msgid: str, **values) -> str:
    return translator(lang).gettext(msgid).format(**values)


async def start(chat: Chat, lang: str) -> None:
    await chat.run(
        [
            ("/start", LANGUAGES[lang]),
            (LANGUAGES[lang], translator(lang).gettext("You are taking part in: {title}.")[:8]),
        ]
    )


def order(out: str, *ids: int) -> list[int]:
    """Where the listing lines of ``ids`` start in ``out`` (each must be listed)."""
    lines = out.splitlines()
    found = []
    for proposal_id in ids:
        [at] = [n for n, line in enumerate(lines) if line.startswith(f"#{proposal_id} ")][:1]
        found.append(at)
    return found


async def area_id(sessions, position: int) -> int:
    """The id of TOWN's area at ``position``."""
    async with sessions() as session:
        town = await session.scalar(select(Round.id).order_by(Round.id).limit(1))
        stmt = select(Area.id).where(Area.round_id == town).order_by(Area.position)
        return list(await session.scalars(stmt))[position]


@pytest.mark.parametrize("lang", LANGS)
async def test_sorted_by_newest_most_supported_and_most_discussed(lang, seeded, chat, sessions):
    t = translator(lang)
    town = await seeded(Phase.IDEAS)
    async with sessions() as session, session.begin():
        people = [Participant(display_name=f"p{i}", round_id=town.id) for i in range(3)]
        session.add_all(people)
        await session.flush()
        for proposal_id, n in ((3, 3), (2, 1)):
            session.add_all(
                Support(proposal_id=proposal_id, participant_id=p.id) for p in people[:n]
            )
        session.add_all(
            Comment(proposal_id=4, author_id=people[0].id, body=f"c{i}") for i in range(2)
        )
        session.add(Comment(proposal_id=3, author_id=people[1].id, body="x", hidden_reason="spam"))
        base = (await session.get(Proposal, 1)).created_at
        for proposal_id in range(1, 6):
            (await session.get(Proposal, proposal_id)).created_at = base + timedelta(
                minutes=[0, 40, 10, 20, 50][proposal_id - 1]
            )
    user = chat(f"reader-{lang}")
    await start(user, lang)
    out = await user.send(payload=f"browse:area:{await area_id(sessions, 0)}")
    count = t.ngettext(
        "{n} proposal, {order}; page {page} of {pages}.",
        "{n} proposals, {order}; page {page} of {pages}.",
        5,
    ).format(n="5", order=gettext(lang, "newest first"), page="1", pages="1")
    assert count in out
    newest = order(out, 2, 4, 3, 1, 5)
    assert newest == sorted(newest)  # the rejected #5 (newest of all) comes after the others
    assert "❌ " + gettext(lang, "Rejected") in out.splitlines()[newest[-1]]
    supporters = t.ngettext("{n} supporter", "{n} supporters", 3).format(n=t.number(3))
    assert supporters in out.splitlines()[newest[2]]

    out = await user.send(payload=user.payload_of(gettext(lang, "Most supported")))
    assert gettext(lang, "most supported first") in out
    supported = order(out, 3, 2, 5)
    assert supported == sorted(supported) and order(out, 2)[0] < order(out, 4)[0]

    out = await user.send(payload=user.payload_of(gettext(lang, "Most discussed")))
    assert gettext(lang, "most discussed first") in out
    discussed = order(out, 4, 1, 2, 5)  # #3's only comment is hidden: it counts for nothing
    assert discussed == sorted(discussed) and order(out, 1)[0] < order(out, 3)[0]
    comments = t.ngettext("{n} comment", "{n} comments", 2).format(n=t.number(2))
    assert comments in out.splitlines()[discussed[0]]
    assert all(len(b.payload.encode()) <= PAYLOAD_LIMIT for r in user.last for b in r.flat_buttons)


@pytest.mark.parametrize("lang", LANGS)
async def test_found_by_a_word_or_nothing_found(lang, seeded, chat):
    await seeded(Phase.IDEAS)
    user = chat(f"finder-{lang}")
    await start(user, lang)
    out = await user.send("/browse BÄNKAR")  # casefolded, å/ä/ö included
    assert gettext(lang, "Proposals containing “{word}”:", word="BÄNKAR") in out
    assert "#1 Fler bänkar längs Ljusterån" in out and "#2 " not in out

    await user.send("/browse")
    out = await user.send(payload=user.payload_of(gettext(lang, "Search")))
    assert gettext(lang, "Which word are you looking for? Type it, for example: bench") in out
    out = await user.send("ljuster")  # two areas: Ljusterån (#1) and Ljusternsjöns stig (#11)
    assert "#1 Fler bänkar" in out and "#11 Vindskydd" in out and "#6 " not in out
    out = await user.send(payload=user.payload_of(gettext(lang, "Most discussed")))
    assert order(out, 1, 11) == sorted(order(out, 1, 11))  # #1 has a comment

    out = await user.send("/browse simhallen i Mora")
    assert (
        gettext(lang, "No proposal contains “{word}”. Try another word.", word="simhallen i Mora")
        in out
    )
    assert "[" + gettext(lang, "Search again") + "]" in out
    out = await user.send(payload="browse:found:new:2")  # the last search found nothing: no pages
    assert (
        gettext(lang, "No proposal contains “{word}”. Try another word.", word="simhallen i Mora")
        in out
    )

    stranger = chat(f"stranger-{lang}")
    await start(stranger, lang)
    out = await stranger.send(payload="browse:found:new:2")  # no search: a stale button
    assert gettext(lang, "That button is no longer active. Here is the menu.") in out


@pytest.mark.parametrize("lang", LANGS)
async def test_a_rejected_idea_shows_the_official_answer(lang, seeded, chat):
    await seeded(Phase.VOTING)
    user = chat(f"reader-{lang}")
    await start(user, lang)
    out = await user.send(payload="browse:open:5")
    status = "❌ " + gettext(lang, "Rejected")
    assert gettext(lang, "Status: {status}", status=status) in out
    answer = REASON_SV if lang == "sv" else f"{REASON_SV} {gettext(lang, '(only in Swedish)')}"
    assert gettext(lang, "Answer from staff: {answer}", answer=answer) in out
    assert "#5 Ny simhall" in out


@pytest.mark.parametrize("lang", LANGS)
async def test_a_merged_idea_links_to_its_target(lang, seeded, chat):
    await seeded(Phase.VOTING)  # listed during the vote too, after the projects on the ballot
    user = chat(f"reader-{lang}")
    await start(user, lang)
    out = await user.send("/browse hund")
    assert "#9 Hundgård i Gustavsbo" in out
    assert "🔀 " + gettext(lang, "Merged with #{id}", id=7) in out
    out = await user.send(payload=user.payload_of("#9 "))
    merged = gettext(
        lang,
        "Merged into #{id} {title}; the discussion continues there.",
        id=7,
        title="Hundrastgård",
    )
    assert merged in out
    out = await user.send(payload=user.payload_of(gettext(lang, "Open #{id}", id=7)))
    assert out.startswith("#7 Hundrastgård")


@pytest.mark.parametrize("lang", LANGS)
async def test_more_than_200_proposals_are_paged(lang, seeded, chat, sessions):
    t = translator(lang)
    town = await seeded(Phase.IDEAS)
    area = await area_id(sessions, 2)
    async with sessions() as session, session.begin():
        session.add_all(
            Proposal(
                round_id=town.id,
                area_id=area,
                title=f"Idé nummer {n} med en lång titel som fyller knappen helt",
                description="Beskrivning.",
                estimated_cost=1000 + n,
                status=ProposalStatus.SUBMITTED,
            )
            for n in range(210)
        )
    user = chat(f"pager-{lang}")
    await start(user, lang)
    out = await user.send(payload=f"browse:area:{area}")
    total = 214  # 210 + #10, #11, #12, #13
    pages = -(-total // 8)
    heading = t.ngettext(
        "{n} proposal, {order}; page {page} of {pages}.",
        "{n} proposals, {order}; page {page} of {pages}.",
        total,
    )
    assert (
        heading.format(
            n=t.number(total), order=gettext(lang, "newest first"), page="1", pages=t.number(pages)
        )
        in out
    )
    assert len([line for line in out.splitlines() if line.startswith("#")]) == 8
    assert gettext(lang, "Previous page") not in out
    out = await user.send(payload=user.payload_of(gettext(lang, "Next page")))
    assert (
        heading.format(
            n=t.number(total), order=gettext(lang, "newest first"), page="2", pages=t.number(pages)
        )
        in out
    )
    assert gettext(lang, "Previous page") in out
    out = await user.send(payload=f"browse:area:{area}:new:{2**31 - 1}")  # beyond the end: the last
    assert (
        heading.format(
            n=t.number(total),
            order=gettext(lang, "newest first"),
            page=t.number(pages),
            pages=t.number(pages),
        )
        in out
    )
    assert gettext(lang, "Next page") not in out
    out = await user.send(payload=f"browse:area:{area}:nonsense:x")  # forged: the first page
    assert "[" + gettext(lang, "Next page") + " ▶]" in out
    assert all(len(b.payload.encode()) <= PAYLOAD_LIMIT for r in user.last for b in r.flat_buttons)


async def test_each_reader_gets_the_answer_in_their_language(seeded, chat, sessions, clock):
    town = await seeded(Phase.REVIEW)
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, town.id)
        staff = StaffUser(email="m@sater.example", password_hash="x", role="moderator")
        session.add(staff)
        await session.flush()
        proposal = await session.get(Proposal, 4)
        await review.reject_proposal(
            session,
            staff,
            round_,
            proposal,
            "Marken ägs inte av kommunen.",
            clock.now,
            {"en": "The municipality does not own the land.", "ar": ""},
        )
    readers = {lang: chat(f"reader-{lang}") for lang in LANGS}
    seen = {}
    for lang, reader in readers.items():
        await start(reader, lang)
        seen[lang] = await reader.send(payload="browse:open:4")
    assert (
        gettext(
            "en", "Answer from staff: {answer}", answer="The municipality does not own the land."
        )
        in seen["en"]
    )
    assert "(only in Swedish)" not in seen["en"]
    assert "Marken ägs inte av kommunen. (بالسويدية فقط)" in seen["ar"]
    assert (
        gettext("sv", "Answer from staff: {answer}", answer="Marken ägs inte av kommunen.")
        in seen["sv"]
    )
    assert "(endast på svenska)" not in seen["sv"]

    async with sessions() as session:
        [told] = (
            await session.scalars(
                select(Notification).where(
                    Notification.kind == NotificationKind.REVIEW_OUTCOME.value
                )
            )
        ).all()
        author = await session.get(Participant, told.participant_id)
        texts = {}
        for lang in LANGS:
            author.locale = lang
            texts[lang] = (await notification_replies(session, told, author))[0].text
    assert "Reason from staff: The municipality does not own the land." in texts["en"]
    assert "Marken ägs inte av kommunen. (بالسويدية فقط)" in texts["ar"]
    assert "Marken ägs inte av kommunen." in texts["sv"] and "endast" not in texts["sv"]


async def test_messages_from_staff_in_each_language_or_marked_swedish(seeded, sessions):
    town = await seeded(Phase.IMPLEMENTATION)
    messages = {
        NotificationKind.BROADCAST: {"texts": {"sv": "Hej alla!", "en": "Hello everyone!"}},
        NotificationKind.IMPLEMENTATION: {
            "params": {
                "progress": 40,
                "text": "Bänkarna är beställda.",
                "texts": {"sv": "Bänkarna är beställda.", "en": "The benches are ordered."},
            }
        },
        NotificationKind.DECISION: {
            "params": {
                "decision": "approved",
                "note": "Beslut i KF.",
                "notes": {"sv": "Beslut i KF.", "ar": "قرار المجلس."},
            }
        },
    }
    seen: dict[tuple[NotificationKind, str], str] = {}
    async with sessions() as session:
        reader = Participant(display_name="reader", round_id=town.id)
        for kind, payload in messages.items():
            notification = Notification(
                kind=kind.value, round_id=town.id, proposal_id=2, payload=payload
            )
            for lang in LANGS:
                reader.locale = lang
                replies = await notification_replies(session, notification, reader)
                seen[(kind, lang)] = replies[0].text
    assert seen[(NotificationKind.BROADCAST, "en")] == "Hello everyone!"
    assert seen[(NotificationKind.BROADCAST, "sv")] == "Hej alla!"
    assert seen[(NotificationKind.BROADCAST, "ar")] == "Hej alla! (بالسويدية فقط)"
    assert "The benches are ordered." in seen[(NotificationKind.IMPLEMENTATION, "en")]
    assert "Bänkarna är beställda. (بالسويدية فقط)" in seen[(NotificationKind.IMPLEMENTATION, "ar")]
    assert "قرار المجلس." in seen[(NotificationKind.DECISION, "ar")]
    assert "Beslut i KF. (only in Swedish)" in seen[(NotificationKind.DECISION, "en")]
    assert "Beslut i KF." in seen[(NotificationKind.DECISION, "sv")]
    assert "endast" not in seen[(NotificationKind.DECISION, "sv")]


async def test_the_proposal_view_shows_decision_and_updates_in_the_readers_language(
    seeded, chat, sessions
):
    await seeded(Phase.IMPLEMENTATION)
    async with sessions() as session, session.begin():
        project = await session.get(Proposal, 3)
        project.status = ProposalStatus.SELECTED
        project.council_decision = "approved"
        project.decision_note = "Beslut i KF."
        project.texts = {
            "sv": {"decision_note": "Beslut i KF."},
            "en": {"decision_note": "Decided."},
        }
        project.implementation_status, project.progress = "in_progress", 40
        session.add(
            ImplementationUpdate(
                proposal_id=3,
                status="in_progress",
                progress=40,
                body="Lamporna är beställda.",
                texts={"sv": {"body": "Lamporna är beställda."}, "ar": {"body": "طُلبت المصابيح."}},
            )
        )
    seen = {}
    for lang in LANGS:
        reader = chat(f"reader-{lang}")
        await start(reader, lang)
        seen[lang] = await reader.send(payload="browse:open:3")
    assert gettext("en", "Note on the decision: {note}", note="Decided.") in seen["en"]
    assert "Lamporna är beställda. (only in Swedish)" in seen["en"]
    assert "Beslut i KF. (بالسويدية فقط)" in seen["ar"] and "طُلبت المصابيح." in seen["ar"]
    assert "Beslut i KF." in seen["sv"] and "Lamporna är beställda." in seen["sv"]
    assert "endast på svenska" not in seen["sv"]
