"""The one sentence why, for every reason a count gives, and long areas split sensibly."""

from __future__ import annotations

import pytest

from budgeting.i18n import LANGUAGES, translator
from budgeting.phases import Phase
from budgeting.tally import (
    APPROVAL,
    GREEDY,
    GREEDY_NO_SKIP,
    MES,
    TallyInput,
    TallyProject,
    run_tally,
)
from budgeting.tally.outcomes import AreaOutcome, area_outcomes
from dialogs.flows.results import MESSAGE_LIMIT, packed, reason_sentence
from tests.builders import AreaSpec, ProposalSpec, RoundSpec, rounds_in_phase

LANGS = sorted(LANGUAGES)
PROJECTS = (
    TallyProject("1", 60_000, "Bänkar"),
    TallyProject("2", 250_000, "Utegym"),
    TallyProject("3", 280_000, "Belysning"),
    TallyProject("4", 20_000, "Skylt"),
    TallyProject("5", 10_000, "Blommor"),
)
BALLOTS = (("2", "1", "3"),) * 3 + (("1", "3", "4"),) * 2 + (("3", "5", "4"),)


def area(rule: str, **changes) -> AreaOutcome:
    base = {"projects": PROJECTS, "budget": 500_000, "ballots": BALLOTS, "max_ranks": 3}
    inp = TallyInput(**{**base, "min_score": 3, **changes})
    record = run_tally(inp, rule).to_dict() | {
        "projects": {p.id: {"cost": p.cost, "name": p.name} for p in PROJECTS},
        "order": [p.id for p in PROJECTS],
        "ballots": len(BALLOTS),
        "tie_break": "lot",
    }
    return area_outcomes(record)


def why(lang: str, found: AreaOutcome, project_id: str) -> str:
    return reason_sentence(translator(lang), found, found.project(project_id))


@pytest.mark.parametrize("lang", LANGS)
def test_below_the_rounds_minimum_names_the_minimum(lang) -> None:
    t = translator(lang)
    points = [t.ngettext("{n} point", "{n} points", n).format(n=n) for n in (2, 3)]
    assert why(lang, area(GREEDY), "5") == t.gettext(
        "Not selected: {score}, fewer than the {minimum} a project needs."
    ).format(score=points[0], minimum=points[1])
    if lang == "sv":
        assert why(lang, area(GREEDY), "5") == (
            "Inte valt: 2 poäng, färre än de 3 poäng som ett projekt behöver."
        )
    if lang == "en":
        assert why(lang, area(GREEDY), "5") == (
            "Not selected: 2 points, fewer than the 3 points a project needs."
        )


def test_greedy_no_skip_says_where_counting_stopped() -> None:
    # 1 (12 points) and 3 (10) are selected, 2 (9 points, 250 000 kr) does not fit the
    # 160 000 kr left, so counting stops there and 4 is never reached.
    found = area(GREEDY_NO_SKIP)
    assert why("en", found, "2").startswith("Not selected: 9 points, but only 160,000 SEK")
    assert why("en", found, "4") == (
        "Not selected: 3 points; counting stopped at the first project that did not fit (#2)."
    )
    assert why("sv", found, "4") == (
        "Inte valt: 3 poäng; räkningen stannade vid det första projektet som inte rymdes (#2)."
    )


def test_mes_says_the_supporters_share_was_not_enough() -> None:
    found = area(MES, min_score=1)
    unbought = [p for p in found.projects if not p.selected and p.score]
    assert unbought
    for project in unbought:
        text = why("en", found, project.id)
        assert "its supporters' share of the money was not enough" in text, text
        assert "greedy" not in text
        assert "Inte valt:" in why("sv", found, project.id)


def test_approval_rounds_count_votes_in_words() -> None:
    found = area(GREEDY, kind=APPROVAL, min_score=1)
    assert why("en", found, "1") == "Selected: 5 votes, 60,000 SEK."
    assert why("sv", found, "5") == "Valt: 1 röst, 10\xa0000 kr."


def test_a_tie_that_decided_the_outcome_is_named() -> None:
    projects = (TallyProject("8", 200_000), TallyProject("7", 200_000))  # the lot's order
    inp = TallyInput(projects, 300_000, (("7",), ("8",)), 1)
    record = run_tally(inp, GREEDY).to_dict() | {
        "projects": {p.id: {"cost": p.cost, "name": ""} for p in projects},
        "order": ["8", "7"],
        "tie_break": "lot",
    }
    found = area_outcomes(record)
    assert why("en", found, "8") == (
        "Selected: 1 point, 200,000 SEK. It had as many as #7; a lot decided which came first."
    )
    assert why("en", found, "7").endswith("It had as many as #8; a lot decided which came first.")


def test_messages_are_split_between_blocks() -> None:
    blocks = [f"{n}. " + "x" * 300 for n in range(40)]
    messages = packed(blocks)
    assert len(messages) > 1
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(blocks)
    long = "\n".join("y" * 100 for _ in range(80))  # one block longer than a message
    assert all(len(m) <= MESSAGE_LIMIT for m in packed(["head", long]))


BIG = RoundSpec(
    slug="big-area",
    title=("Stor omgång", "Big round", "جولة كبيرة"),
    budget=1_000_000,
    criteria=(("Gynnar många", "Benefits many", "يفيد كثيرين"),),
    areas=(
        AreaSpec(
            ("Hela kommunen", "The whole municipality", "البلدية كلها"),
            1_000_000,
            tuple(
                ProposalSpec(f"Projekt nummer {n} med ett ganska långt namn", 40_000 + n * 1_000)
                for n in range(1, 61)
            ),
        ),
    ),
)


async def test_a_long_area_is_split_into_messages_that_fit(sessions, clock, chat) -> None:
    async with sessions() as session, session.begin():
        (round_,) = await rounds_in_phase(session, clock.now, Phase.DECISION, BIG)
    user = chat("reader")
    await user.run([("/start", "English"), ("English", "Big round")])
    out = await user.send("/results")
    assert len(user.last) > 1, out
    assert all(len(reply.text) <= MESSAGE_LIMIT for reply in user.last)
    assert [bool(reply.buttons) for reply in user.last] == [False] * (len(user.last) - 1) + [True]
    for n in range(1, 61):  # every project once, never cut in two
        assert out.count(f"Projekt nummer {n} med") == 1
    assert round_.id
