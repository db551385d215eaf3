"""The main resident journey in Swedish, English and Arabic, through the real engine."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import Ballot, Proposal
from budgeting.phases import Phase


def first_line(lang: str, msgid: str) -> str:
    """The start of a translated message, before any placeholder."""
    return translator(lang).gettext(msgid).split("{")[0].strip()


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_main_journey_in_each_language(lang, seeded, chat, sessions, clock) -> None:
    await seeded(Phase.IDEAS)
    t = translator(lang)
    user = chat(f"resident-{lang}")
    await user.run(
        [
            ("/start", LANGUAGES[lang]),
            (LANGUAGES[lang], [first_line(lang, "You are taking part in: {title}.")]),
            ("/about", [t.money(1_000_000)]),
            ("/propose", first_line(lang, "Which area is your idea for?")),
            (
                "1",
                first_line(
                    lang, "Area: {area}. Give your idea a short title (at most {limit} characters)."
                ),
            ),
            (
                "Parkbänkar vid ån",
                first_line(
                    lang,
                    "Describe your idea: what should be done, where, and who benefits? "
                    "(at most {limit} characters)",
                ),
            ),
            (  # like #1 "Fler bänkar längs Ljusterån": the similar ideas are offered first
                "Fler bänkar längs ån, så att äldre kan vila.",
                ["#1 Fler bänkar längs Ljusterån", t.gettext("Submit mine anyway")],
            ),
            (
                t.gettext("Submit mine anyway"),
                first_line(
                    lang,
                    "Roughly what would it cost, in kronor? A guess is fine; staff will "
                    "estimate it properly. Write a number, for example 50000.",
                ),
            ),
            ("45000", [t.money(45_000)]),
            (
                "1",
                first_line(
                    lang,
                    "Thank you! Your idea #{id} has been submitted. Staff will review it and you "
                    "will be told the outcome. You can follow it under /ideas.",
                ),
            ),
            ("/ideas", ["Parkbänkar vid ån", t.gettext("waiting for review")]),
        ]
    )
    assert all(reply.rtl == (lang == "ar") for reply in user.last)
    if lang != "en":  # nothing falls back to English
        assert "Which area" not in "\n".join(out for _m, out in user.transcript)

    await seeded(Phase.VOTING)
    await user.run(
        [
            (
                "/vote",
                first_line(
                    lang, "You vote on the projects of one area. Which area do you live in?"
                ),
            ),
            ("1", first_line(lang, "Choose your #{rank}:")),
            ("1", first_line(lang, "Your ranking so far:")),
            ("1", first_line(lang, "Your ranking so far:")),
            ("1", first_line(lang, "Cast this ballot?")),
            (
                "1",
                first_line(
                    lang,
                    "Thank you, your ballot is registered. Your receipt code: {code}\n"
                    "Keep it: it lets you find your ballot in the published, anonymised list. "
                    "You can change your ballot with /vote until {end}.",
                ),
            ),
        ]
    )
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", user.transcript[-1][1]).group(0)
    async with sessions() as session:
        assert (await session.scalars(select(Ballot).where(Ballot.receipt_code == code))).one()
        assert (
            await session.scalars(select(Proposal).where(Proposal.title == "Parkbänkar vid ån"))
        ).one()
