"""Results in plain words, in Swedish, English and Arabic: every project with its place and
why, the voter's own ballot and what became of it, how exactly it was counted, /verify with
the published file, the proposal's whole story, and the results message with the story.

The round is TOWN (tests/rounds.py) with ballots chosen here, counted and published:
- Säter town (500 000 kr): #2 (8 points), #3 (7) and #1 (1) are selected, nobody voted
  for #4;
- Gustavsbo (250 000 kr): #8 (7 points) and #7 (6) are selected, leaving 40 000 kr; #6
  (3 points, 80 000 kr) does not fit;
- Stora Skedvi: no ballots at all, so nothing is selected.
The resident ranked #8, #6 in Gustavsbo.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import (
    Ballot,
    BallotRank,
    CouncilDecision,
    ImplementationStatus,
    ImplementationUpdate,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    PublishedFile,
    Round,
)
from budgeting.phases import Phase, schedule
from budgeting.services.delivery_policy import PERSONAL
from budgeting.services.tally import count_round, publish_results
from dialogs.engine import DialogEngine
from dialogs.notifications import notification_replies
from tests.dialogs.conftest import Chat

PUBLIC_URL = "https://budget.example.se"
RECEIPT = "TEST-CODE-0001"
PHOTO = "photo-of-the-gym"
BALLOTS = {  # area position -> rankings (best first) of anonymous voters
    0: [(2, 3, 1), (2, 3), (3, 2)],
    1: [(7, 8, 6), (7, 8)],
    2: [],
}
LANGS = sorted(LANGUAGES)
NO_ROOM = "Not selected: {score}, but only {left} of the area's money was left and it costs {cost}."


@pytest.fixture
def engine(sessions, clock) -> DialogEngine:
    return DialogEngine(sessions, clock=clock, public_url=PUBLIC_URL)


def gettext(lang: str, msgid: str, **values) -> str:
    return translator(lang).gettext(msgid).format(**values)


def points(lang: str, n: int) -> str:
    t = translator(lang)
    return t.ngettext("{n} point", "{n} points", n).format(n=t.number(n))


async def start(chat: Chat, lang: str) -> None:
    await chat.run(
        [
            ("/start", LANGUAGES[lang]),
            (
                LANGUAGES[lang],
                translator(lang).gettext("You are taking part in: {title}.").split("{")[0].strip(),
            ),
        ]
    )


def voters_ballot(round_: Round, participant: Participant) -> Ballot:
    """The resident's ballot: #8 first, #6 second, in Gustavsbo."""
    ballot = Ballot(
        round_id=round_.id,
        area_id=round_.areas[1].id,
        participant_id=participant.id,
        receipt_code=RECEIPT,
    )
    ballot.ranks = [BallotRank(position=i, proposal_id=p) for i, p in enumerate((8, 6))]
    return ballot


async def publish(sessions, clock, voter: str | None) -> Round:
    """The ballots above (and the voter's #8, #6) counted, published, decided."""
    async with sessions() as session, session.begin():
        round_ = await session.scalar(select(Round).where(Round.slug == "town-budget"))
        await session.refresh(round_, ["areas"])
        n = 0
        for position, rankings in BALLOTS.items():
            area = round_.areas[position]
            for ranking in rankings:
                n += 1
                ballot = Ballot(round_id=round_.id, area_id=area.id, receipt_code=f"ANON-{n:04d}")
                ballot.ranks = [
                    BallotRank(position=i, proposal_id=p) for i, p in enumerate(ranking)
                ]
                session.add(ballot)
        if voter is not None:
            participant = await session.scalar(
                select(Participant).where(Participant.display_name == voter)
            )
            session.add(voters_ballot(round_, participant))
        await session.flush()
        await count_round(session, round_, "greedy", now=clock.now, seed=2027)
        await publish_results(session, round_, clock.now)
        for area in round_.areas:  # the rounds work writes these at publication
            if await session.scalar(
                select(PublishedFile.id).where(PublishedFile.area_id == area.id)
            ):
                continue
            content = f"META\nkey;value\nsubunit;{area.id}\nVOTES\nvoter_id;vote;receipt\n"
            session.add(
                PublishedFile(
                    round_id=round_.id,
                    area_id=area.id,
                    filename=f"town-budget-area-{area.id}.pb",
                    sha256=hashlib.sha256(content.encode()).hexdigest(),
                    content=content,
                    published_at=clock.now,
                )
            )
        gym = await session.get(Proposal, 2)
        gym.council_decision = CouncilDecision.APPROVED
        gym.decision_note = "Beslutat i fullmäktige den 12 mars."
        gym.implementation_status = ImplementationStatus.IN_PROGRESS
        gym.progress = 40
        session.add_all(
            [
                ImplementationUpdate(
                    proposal_id=2,
                    status=ImplementationStatus.PLANNING,
                    progress=10,
                    body="Platsen är vald.",
                    created_at=clock.now - timedelta(days=20),
                ),
                ImplementationUpdate(
                    proposal_id=2,
                    status=ImplementationStatus.IN_PROGRESS,
                    progress=40,
                    body="Grunden är gjuten.",
                    photo_ref=PHOTO,
                    created_at=clock.now - timedelta(days=2),
                ),
            ]
        )
        schedule(round_, Phase.IMPLEMENTATION, clock.now)
        return round_


@pytest.mark.parametrize("lang", LANGS)
async def test_full_results_with_a_reason_for_every_project(lang, seeded, chat, sessions, clock):
    t = translator(lang)
    await seeded(Phase.VOTING)
    user = chat(f"voter-{lang}")
    await start(user, lang)
    await publish(sessions, clock, f"voter-{lang}")

    out = await user.send("/results")
    sentences = [
        gettext(lang, "Selected: {score}, {cost}.", score=points(lang, 8), cost=t.money(250_000)),
        gettext(lang, "Selected: {score}, {cost}.", score=points(lang, 7), cost=t.money(180_000)),
        gettext(lang, "Selected: {score}, {cost}.", score=points(lang, 1), cost=t.money(60_000)),
        gettext(lang, "Not selected: nobody voted for it."),
        gettext(
            lang,
            NO_ROOM,
            score=points(lang, 3),
            left=t.money(40_000),
            cost=t.money(80_000),
        ),
        t.ngettext("{n} ballot", "{n} ballots", 0).format(n=t.number(0)),
        t.ngettext("{n} ballot", "{n} ballots", 3).format(n=t.number(3)),
        "1. ✅ #2 Utegym vid Säterdalen",
        "4. ❌ #4 Lekplats i Bergsgården",
        "3. ❌ #6 Boulebana i Gustavsbo",
        gettext(lang, "approved by the council"),
    ]
    for sentence in sentences:
        assert sentence in out, f"{sentence!r} not in:\n{out}"
    assert out.count(gettext(lang, "Not selected: nobody voted for it.")) == 3  # #4, #10, #11
    assert "greedy" not in out.lower() and "SHA-256" not in out
    assert all(len(reply.text) <= 3500 for reply in user.last)
    assert all(reply.rtl == (lang == "ar") for reply in user.last)
    if lang == "sv":
        assert "Inte valt: ingen röstade på det." in out
        assert "3 röstsedlar" in out and "0 röstsedlar" in out
        assert "Valt: 8 poäng, 250\xa0000 kr." in out
    if lang == "en":
        assert (
            "Not selected: 3 points, but only 40,000 SEK of the area's money was left "
            "and it costs 80,000 SEK." in out
        )

    # How exactly: the rule in plain words, each step, the published file's hash and link.
    area_id = int(
        user.payload_of(gettext(lang, "How exactly? ({area})", area="")[:4]).split(":")[-1]
    )
    out = await user.send(
        payload=user.payload_of(gettext(lang, "How exactly? ({area})", area="")[:4])
    )
    async with sessions() as session:
        file = await session.scalar(select(PublishedFile).where(PublishedFile.area_id == area_id))
    assert gettext(lang, "Rule: most points first.") in out
    assert file.sha256 in out
    assert f"{PUBLIC_URL}/files/rounds/{file.round_id}/{file.filename}" in out
    assert "greedy" not in out.lower() and "girig" not in out


@pytest.mark.parametrize("lang", LANGS)
async def test_your_ballot_story(lang, seeded, chat, sessions, clock):
    t = translator(lang)
    await seeded(Phase.VOTING)
    user = chat(f"voter-{lang}")
    await start(user, lang)
    await publish(sessions, clock, f"voter-{lang}")
    await user.send("/results")
    out = await user.send(payload=user.payload_of(gettext(lang, "Your ballot")))
    given = [
        t.ngettext("you gave it {n} point", "you gave it {n} points", n).format(n=t.number(n))
        for n in (3, 2)
    ]
    lines = out.splitlines()
    first = lines.index(f"1. #8 Cykelställ vid skolan — {given[0]}")
    assert lines[first + 1] == gettext(
        lang, "Selected: {score}, {cost}.", score=points(lang, 7), cost=t.money(90_000)
    )
    assert lines[first + 2] == f"2. #6 Boulebana i Gustavsbo — {given[1]}"
    assert lines[first + 3] == gettext(
        lang,
        NO_ROOM,
        score=points(lang, 3),
        left=t.money(40_000),
        cost=t.money(80_000),
    )
    summary = t.ngettext(
        "{n} of the {total} projects on your ballot was selected.",
        "{n} of the {total} projects on your ballot were selected.",
        1,
    ).format(n=t.number(1), total=t.number(2))
    assert summary in out
    if lang == "sv":
        assert "1. #8 Cykelställ vid skolan — du gav det 3 poäng" in out
        assert "1 av de 2 projekten på din röstsedel blev valt." in out


async def test_no_ballot_story_without_a_ballot(seeded, chat, sessions, clock):
    await seeded(Phase.VOTING)
    user = chat("onlooker")
    await start(user, "en")
    await publish(sessions, clock, None)
    out = await user.send("/results")
    assert "[Your ballot]" not in out and "[Check your ballot]" in out
    out = await user.send(payload="results:ballot")
    assert "You did not vote in this round." in out
    out = await user.send("/verify")
    assert "You have not voted in this round, so there is no ballot to check." in out


@pytest.mark.parametrize("lang", LANGS)
async def test_verify_before_and_after_publication(lang, seeded, chat, sessions, clock):
    t = translator(lang)
    await seeded(Phase.VOTING)
    user = chat(f"voter-{lang}")
    await start(user, lang)
    async with sessions() as session, session.begin():
        participant = await session.scalar(
            select(Participant).where(Participant.display_name == f"voter-{lang}")
        )
        round_ = await session.scalar(select(Round).where(Round.slug == "town-budget"))
        await session.refresh(round_, ["areas"])
        session.add(voters_ballot(round_, participant))
    given = t.ngettext("you gave it {n} point", "you gave it {n} points", 3).format(n="3")
    out = await user.send("/verify")
    assert gettext(lang, "Your receipt code: {code}", code=RECEIPT) in out
    assert f"1. #8 Cykelställ vid skolan — {given}" in out
    assert gettext(lang, "The file with every anonymised ballot comes with the results.") in out
    assert "SHA-256" not in out

    async with sessions() as session, session.begin():  # the resident's ballot is counted too
        await session.delete(
            await session.scalar(select(Ballot).where(Ballot.receipt_code == RECEIPT))
        )
    await publish(sessions, clock, f"voter-{lang}")
    await user.send("/results")
    out = await user.send(payload=user.payload_of(gettext(lang, "Check your ballot")))
    async with sessions() as session:
        file = await session.scalar(
            select(PublishedFile).where(PublishedFile.area_id == round_.areas[1].id)
        )
    assert gettext(lang, "Your receipt code: {code}", code=RECEIPT) in out
    assert gettext(lang, "SHA-256: {hash}", hash=file.sha256) in out
    url = f"{PUBLIC_URL}/files/rounds/{file.round_id}/{file.filename}"
    assert gettext(lang, "Download: {url}", url=url) in out
    assert "VOTES" in out and f"{RECEIPT}" in out and "(8,6)" in out
    if lang == "en":
        assert "the vote column lists the project ids, best first (8,6)" in out


@pytest.mark.parametrize("lang", LANGS)
async def test_the_whole_story_of_a_proposal(lang, seeded, chat, sessions, clock):
    t = translator(lang)
    await seeded(Phase.VOTING)
    user = chat(f"voter-{lang}")
    await start(user, lang)
    await publish(sessions, clock, f"voter-{lang}")
    out = await user.send(payload="browse:open:2")
    expected = [
        gettext(lang, "Result of the vote: place {place} of {total}.", place="1", total="4"),
        gettext(lang, "Selected: {score}, {cost}.", score=points(lang, 8), cost=t.money(250_000)),
        gettext(
            lang,
            "Decision: {decision}.",
            decision=gettext(lang, "approved by the council"),
        ),
        gettext(lang, "Note on the decision: {note}", note="Beslutat i fullmäktige den 12 mars."),
        gettext(
            lang,
            "Implementation: {status}; done: {progress} %.",
            status=gettext(lang, "in progress"),
            progress="40",
        ),
        gettext(
            lang,
            "{date} — {status}, {progress} %: {text}",
            date=t.datetime(clock.now - timedelta(days=20), "Europe/Stockholm"),
            status=gettext(lang, "being planned"),
            progress="10",
            text="Platsen är vald.",
        ),
        gettext(
            lang,
            "{date} — {status}, {progress} %: {text}",
            date=t.datetime(clock.now - timedelta(days=2), "Europe/Stockholm"),
            status=gettext(lang, "in progress"),
            progress="40",
            text="Grunden är gjuten.",
        ),
    ]
    for sentence in expected:
        assert sentence in out, f"{sentence!r} not in:\n{out}"
    photo = [reply for reply in user.last if reply.image == PHOTO]
    assert len(photo) == 1 and "Grunden är gjuten." in photo[0].text
    assert user.last[-1].flat_buttons  # comments and follow stay under the last message
    assert out.index("Platsen är vald.") < out.index("Grunden är gjuten.")

    out = await user.send(payload="browse:open:6")
    assert (
        gettext(
            lang,
            NO_ROOM,
            score=points(lang, 3),
            left=t.money(40_000),
            cost=t.money(80_000),
        )
        in out
    )
    assert gettext(lang, "Decision: {decision}.", decision="")[:6] not in out


@pytest.mark.parametrize("lang", LANGS)
async def test_the_results_message_tells_a_voter_their_ballot_story(
    lang, seeded, chat, sessions, clock
):
    t = translator(lang)
    await seeded(Phase.VOTING)
    voter, onlooker = chat(f"voter-{lang}"), chat(f"onlooker-{lang}")
    await start(voter, lang)
    await start(onlooker, lang)
    await publish(sessions, clock, f"voter-{lang}")
    async with sessions() as session:
        notification = await session.scalar(
            select(Notification).where(Notification.kind == NotificationKind.RESULTS.value)
        )
        people = {
            p.display_name: p
            for p in (await session.scalars(select(Participant))).all()
            if p.display_name
        }
        told_voter = await notification_replies(session, notification, people[f"voter-{lang}"])
        told_other = await notification_replies(session, notification, people[f"onlooker-{lang}"])
    text = "\n".join(r.text for r in told_voter)
    assert gettext(lang, "The result of the vote is published.") in text
    assert gettext(lang, "Your ballot and what became of it:") in text
    given = t.ngettext("you gave it {n} point", "you gave it {n} points", 3).format(n="3")
    assert f"1. #8 Cykelställ vid skolan — {given}" in text
    assert (
        gettext(lang, "Selected: {score}, {cost}.", score=points(lang, 7), cost=t.money(90_000))
        in text
    )
    labels = [b.label for r in told_voter for b in r.flat_buttons]
    assert gettext(lang, "Your ballot") in labels and gettext(lang, "Check your ballot") in labels
    assert [r.text for r in told_other] == [gettext(lang, "The result of the vote is published.")]
    assert NotificationKind.RESULTS not in PERSONAL  # whoever switched results off is not told
