"""Approval and cumulative ballots from /vote to receipt, in Swedish, English and Arabic."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import (
    Ballot,
    BallotKind,
    Notification,
    NotificationKind,
    Participant,
    Round,
)
from budgeting.phases import Phase
from dialogs.notifications import notification_replies
from tests.dialogs.transcripts import START_ENGLISH
from tests.rounds import TOWN, WORKPLACE

RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
LANGS = sorted(LANGUAGES)
RECEIPT_TEXT = (
    "Thank you, your ballot is registered. Your receipt code: {code}\n"
    "Keep it: it lets you find your ballot in the published, anonymised list. "
    "You can change your ballot with /vote until {end}."
)
AREA_QUESTION = "You vote on the projects of one area. Which area do you live in?"


async def make_kind(sessions, kind: BallotKind, slug: str = TOWN.slug, **limits: int) -> None:
    """Staff chose ``kind`` (and its limits) for the round."""
    async with sessions() as session, session.begin():
        round_ = await session.scalar(select(Round).where(Round.slug == slug))
        round_.ballot_kind = kind
        for name, value in limits.items():
            setattr(round_, name, value)


async def stored_ballots(sessions) -> list[tuple[str, list[tuple[int, int | None]]]]:
    """Every ballot's receipt and (project, points) rows, in ballot order."""
    async with sessions() as session:
        ballots = (await session.scalars(select(Ballot).order_by(Ballot.id))).all()
        return [(b.receipt_code, [(r.proposal_id, r.points) for r in b.ranks]) for b in ballots]


def start(lang: str) -> list[tuple[str, str]]:
    """First contact in ``lang``, ending in TOWN."""
    return [("/start", LANGUAGES[lang]), (LANGUAGES[lang], LANGUAGES[lang])]


def opening(lang: str, msgid: str) -> str:
    """The start of a translated message, before any placeholder."""
    return translator(lang).gettext(msgid).split("{")[0].strip()


# -- approval --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_approval_ballot_from_vote_to_receipt(lang, seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.APPROVAL, min_ranks=1, max_ranks=3)
    t = translator(lang)

    def chosen(n: int) -> str:
        return t.ngettext("{n} of {k} project chosen", "{n} of {k} projects chosen", 3).format(
            n=n, k=3
        )

    intro = t.ngettext(
        "Choose up to {k} project in {area} (budget {budget}). Each project you choose "
        "gets one vote.",
        "Choose up to {k} projects in {area} (budget {budget}). Each project you choose "
        "gets one vote.",
        3,
    ).format(k=3, area=TOWN.areas[0].name[("sv", "en", "ar").index(lang)], budget=t.money(500_000))
    voter = chat(f"approver-{lang}")
    await voter.run(
        [
            *start(lang),
            ("/vote", opening(lang, AREA_QUESTION)),
            ("1", [intro, chosen(0), "[#1 Fler bänkar"]),
            ("2", [chosen(1), "[✓ #2 Utegym"]),
            ("4", [chosen(2), "[✓ #4 Lekplats", f"[{t.gettext('Done')}]"]),
            ("1", [chosen(3), "[✓ #1 Fler bänkar"]),
            (
                "3",  # a fourth project is over the limit
                t.ngettext(
                    "You have already chosen {k} project, the most you can. Tap a chosen "
                    "project (✓) to remove it first.",
                    "You have already chosen {k} projects, the most you can. Tap a chosen "
                    "project (✓) to remove it first.",
                    3,
                ).format(k=3),
            ),
            ("2", [chosen(2), "[#2 Utegym"]),  # tapped again: removed
            (
                t.gettext("Done"),
                [
                    t.gettext("Your ballot:"),
                    "✓ #4 Lekplats i Bergsgården",
                    "✓ #1 Fler bänkar längs Ljusterån",
                    t.gettext("Cast this ballot?"),
                ],
            ),
            (t.gettext("Confirm"), opening(lang, RECEIPT_TEXT)),
        ]
    )
    assert "Utegym" not in voter.transcript[-2][1]
    receipt = RECEIPT.search(voter.transcript[-1][1]).group(0)
    assert await stored_ballots(sessions) == [(receipt, [(4, None), (1, None)])]
    assert all(reply.rtl == (lang == "ar") for reply in voter.last)
    if lang == "sv":
        assert "Tack, din röstsedel är registrerad" in voter.transcript[-1][1]
        assert "2 av 3 projekt valda" in voter.transcript[5][1]


async def test_approval_bad_input_and_stale_buttons_change_nothing(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.APPROVAL, min_ranks=2, max_ranks=3)
    voter = chat("ann")
    await voter.run(
        [
            *START_ENGLISH,
            ("/vote", "area"),
            ("1", ["Choose up to 3 projects", "Choose at least 2 projects.", "0 of 3"]),
            ("1", ["1 of 3 projects chosen"]),
        ]
    )
    assert "[Done]" not in voter.transcript[-1][1]  # the minimum is 2
    for payload in ("vote:done_choosing", "vote:choose:1", "vote:unchoose:2", "vote:choose:6"):
        out = await voter.send(payload=payload)  # too few, already chosen, not chosen, other area
        assert "at least 2 projects" in out or "no longer active" in out, (payload, out)
    await voter.run(
        [
            ("/vote", "area"),  # the flow starts again: the old builder is stale
            ("1", "0 of 3 projects chosen"),
        ]
    )
    for payload in ("vote:give:1:3", "vote:project:1", "vote:pick:1", "vote:undo", "vote:edit"):
        assert "no longer active" in await voter.send(payload=payload), payload
    await voter.run(
        [
            ("/vote", "area"),  # the stale buttons showed the menu
            ("1", "0 of 3"),
            ("2", "1 of 3"),
            ("3", "2 of 3"),
            ("Done", ["✓ #2 Utegym", "✓ #3 Belysning"]),
            ("Change", ["2 of 3 projects chosen", "[✓ #2 Utegym"]),
            ("4", "3 of 3"),
            ("Done", "✓ #4 Lekplats"),
            ("Confirm", "your ballot is registered"),
        ]
    )
    first = RECEIPT.search(voter.transcript[-1][1]).group(0)
    for payload in ("vote:confirm", "vote:choose:1", "vote:unchoose:2", "vote:done_choosing"):
        assert "no longer active" in await voter.send(payload=payload), payload  # after close
    assert await stored_ballots(sessions) == [(first, [(2, None), (3, None), (4, None)])]

    # replacing the ballot: the old one stays until the new one is confirmed
    await voter.run(
        [
            ("/vote", f"You have already voted (receipt {first})"),
            ("1", "0 of 3"),
            ("1", "1 of 3"),
            ("4", "2 of 3"),
            ("Done", ["Confirming replaces the ballot you cast earlier.", "✓ #1", "✓ #4"]),
        ]
    )
    assert await stored_ballots(sessions) == [(first, [(2, None), (3, None), (4, None)])]
    await voter.run([("Confirm", "your ballot is registered")])
    second = RECEIPT.search(voter.transcript[-1][1]).group(0)
    assert second != first
    assert await stored_ballots(sessions) == [(second, [(1, None), (4, None)])]


# -- cumulative ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_cumulative_ballot_from_vote_to_receipt(lang, seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.CUMULATIVE, points_total=10, points_per_project=5)
    t = translator(lang)

    def left(n: int) -> str:
        return t.ngettext("{n} point left", "{n} points left", n).format(n=n)

    def points(n: int) -> str:
        return t.ngettext("{n} point", "{n} points", n).format(n=n)

    spread = t.ngettext(
        "At most {m} point on one project.", "At most {m} points on one project.", 5
    ).format(m=5)
    voter = chat(f"spreader-{lang}")
    await voter.run(
        [
            *start(lang),
            ("/vote", opening(lang, AREA_QUESTION)),
            ("1", [spread, left(10), "[#1 Fler bänkar", "[#4 Lekplats"]),
            ("1", ["#1 Fler bänkar längs Ljusterån", "[1]", "[5]", f"[{t.gettext('Back')}]"]),
            ("5", [left(5), f"#1 Fler bänkar längs Ljusterån: {points(5)}"]),
            ("3", ["#3 Belysning", "[5]"]),
            ("4", [left(1), f"#3 Belysning på gångvägen till stationen: {points(4)}"]),
            (
                "1",  # #1 again: change its points
                [
                    t.ngettext(
                        "It has {n} point from you now.", "It has {n} points from you now.", 5
                    ).format(n=5),
                    f"[{t.gettext('Remove')}]",
                    "[5]",
                ],
            ),
            ("2", [left(4), f"#1 Fler bänkar längs Ljusterån: {points(2)}"]),
            ("2", ["#2 Utegym", "[4]"]),
            (t.gettext("Back"), left(4)),
            (
                t.gettext("Done"),
                [
                    t.gettext("Your ballot:"),
                    f"#1 Fler bänkar längs Ljusterån: {points(2)}",
                    f"#3 Belysning på gångvägen till stationen: {points(4)}",
                    t.ngettext(
                        "Points given: {given} of {n}.", "Points given: {given} of {n}.", 10
                    ).format(given=6, n=10),
                ],
            ),
            (t.gettext("Confirm"), opening(lang, RECEIPT_TEXT)),
        ]
    )
    assert f"[{t.gettext('Remove')}]" not in voter.transcript[10][1]  # #2 had no points
    receipt = RECEIPT.search(voter.transcript[-1][1]).group(0)
    assert await stored_ballots(sessions) == [(receipt, [(1, 2), (3, 4)])]
    assert all(reply.rtl == (lang == "ar") for reply in voter.last)
    if lang == "sv":
        assert "Tack, din röstsedel är registrerad" in voter.transcript[-1][1]
        assert "4 poäng kvar" in voter.transcript[-3][1]


async def test_cumulative_bad_input_changes_nothing(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.CUMULATIVE, points_total=10, points_per_project=5)
    voter = chat("per")
    await voter.run(
        [
            *START_ENGLISH,
            ("/vote", "area"),
            ("1", ["Spread 10 points over the projects in Säter town", "10 points left"]),
            ("1", "How many points do you give it? (1 to 5 points)"),
            ("7", "A project can get from 1 to 5 points."),  # over the limit per project
            ("0", "A project can get from 1 to 5 points."),
            ("-2", "A project can get from 1 to 5 points."),
            ("99999999999999999999999", "A project can get from 1 to 5 points."),
            ("many", "Please type a number of points from 1 to 5"),
        ]
    )
    for payload in ("vote:give:1:6", "vote:give:1:-1", "vote:give:1:" + "9" * 40):
        out = await voter.send(payload=payload)
        assert "1 to 5 points" in out or "no longer active" in out, (payload, out)
    for payload in ("vote:give:2:3", "vote:remove:1", "vote:project:2", "vote:done_spreading"):
        assert "no longer active" in await voter.send(payload=payload), payload
    await voter.run(
        [
            ("5", ["5 points left", "#1 Fler bänkar längs Ljusterån: 5 points"]),
            ("2", "[5]"),
            ("5", "0 points left"),
            ("3", "You have no points left."),  # a third project: no points to give
            ("1", ["It has 5 points from you now.", "[Remove]"]),
            ("Remove", ["5 points left", "#2 Utegym vid Säterdalen: 5 points"]),
            ("3", "#3 Belysning"),
            ("4", "1 point left"),
            ("4", ["#4 Lekplats", "How many points do you give it? (at most 1 point)", "[1]"]),
            ("2", "You have only 1 point left for this project."),
        ]
    )
    out = await voter.send(payload="vote:give:4:3")  # a forged button: over the points left
    assert "You have only 1 point left for this project." in out
    await voter.run(
        [
            ("Back", "1 point left"),
            ("Done", ["#2 Utegym vid Säterdalen: 5 points", "Points given: 9 of 10."]),
        ]
    )
    assert "Fler bänkar" not in voter.transcript[-1][1]
    assert await stored_ballots(sessions) == []
    await voter.run([("Confirm", "your ballot is registered")])
    first = RECEIPT.search(voter.transcript[-1][1]).group(0)
    assert await stored_ballots(sessions) == [(first, [(2, 5), (3, 4)])]
    for payload in ("vote:give:4:1", "vote:project:1", "vote:confirm", "vote:back"):
        assert "no longer active" in await voter.send(payload=payload), payload

    # a new ballot replaces the old one only when confirmed
    await voter.run(
        [
            ("/vote", f"You have already voted (receipt {first})"),
            ("1", "10 points left"),
            ("4", "[5]"),
            ("3", "7 points left"),
            ("Done", ["Confirming replaces the ballot you cast earlier.", "3 of 10"]),
            ("Start over", "10 points left"),
            ("4", "[5]"),
            ("1", "9 points left"),
            ("Done", "Points given: 1 of 10."),
        ]
    )
    assert await stored_ballots(sessions) == [(first, [(2, 5), (3, 4)])]
    await voter.run([("Confirm", "your ballot is registered")])
    second = RECEIPT.search(voter.transcript[-1][1]).group(0)
    assert second != first and await stored_ballots(sessions) == [(second, [(4, 1)])]
    await voter.run([("/mydata", f"Ballots: {second}: #4 (1 point)")])


async def test_voting_closed_while_spreading_points(seeded, chat, sessions, clock) -> None:
    from datetime import timedelta

    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.CUMULATIVE)
    voter = chat("olle")
    await voter.run([*START_ENGLISH, ("/vote", "area"), ("1", "points left"), ("1", "[1]")])
    clock.now += timedelta(days=30)
    await voter.run([("3", "Voting is not open now")])
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0


# -- the texts that describe voting ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "step", "faq", "help_text"),
    [
        (
            BallotKind.RANKED,
            "residents rank the proposals on the ballot",
            "You rank up to 3 projects of your area",
            "rank your favourite projects",
        ),
        (
            BallotKind.APPROVAL,
            "residents choose among the proposals on the ballot",
            "You choose up to 3 projects of your area; each project you choose gets one vote",
            "choose your favourite projects",
        ),
        (
            BallotKind.CUMULATIVE,
            "residents spread their points over the proposals on the ballot",
            "You spread 10 points over the projects of your area. One project can get at most "
            "5 points from you.",
            "spread your points over the projects",
        ),
    ],
)
async def test_about_and_help_say_how_this_round_votes(
    kind, step, faq, help_text, seeded, chat, sessions
) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, kind, points_total=10, points_per_project=5)
    await chat("ivar").run(
        [
            *START_ENGLISH,
            ("/about", "[The steps]"),
            ("The steps", f"▶ 5. Voting: {step}"),
            ("Questions and answers", faq),
            ("/help", f"/vote — {help_text}"),
        ]
    )


async def test_employees_are_addressed_as_employees(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    await make_kind(sessions, BallotKind.CUMULATIVE, slug=WORKPLACE.slug)
    employee = chat("emma", channel="teams")
    await employee.run([("/start", "[English]"), ("English", "Employee budget")])
    out = await employee.send("/about")
    assert "[The steps]" in out
    out = await employee.send("The steps")
    assert "employees spread their points over the proposals on the ballot" in out
    assert "residents" not in out.split("Voting:")[1].splitlines()[0]


@pytest.mark.parametrize(
    ("kind", "english"),
    [
        (BallotKind.RANKED, "Voting is open! Rank your favourite projects until"),
        (BallotKind.APPROVAL, "Voting is open! Choose up to 3 projects you want until"),
        (BallotKind.CUMULATIVE, "Voting is open! Spread your 10 points over the projects"),
    ],
)
async def test_voting_opens_says_what_to_do(kind, english, seeded, sessions) -> None:
    round_ = await seeded(Phase.VOTING)
    await make_kind(sessions, kind, points_total=10)
    async with sessions() as session:
        notification = Notification(
            round_id=round_.id, kind=NotificationKind.VOTING_OPENS, payload={}
        )
        texts = {}
        for lang in LANGS:
            person = Participant(display_name=lang, locale=lang)
            texts[lang] = (await notification_replies(session, notification, person))[0].text
    assert texts["en"].startswith(english)
    assert texts["sv"] != texts["en"] != texts["ar"]
    assert all("{" not in text for text in texts.values())
