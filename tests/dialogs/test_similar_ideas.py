"""Similar ideas before submitting: the prompt, looking at one, submitting anyway, stale buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import Proposal
from budgeting.phases import Phase

DRAFTS = {
    "sv": (
        "Sittplatser vid Ljusterån",
        "Vi äldre behöver fler bänkar att vila på när vi promenerar vid Ljusterån.",
    ),
    "en": (
        "Benches by Ljusterån",
        "Older people need more benches to rest on when they walk by Ljusterån.",
    ),
    "ar": (
        "مقاعد على ضفة Ljusterån",
        "كبار السن يحتاجون إلى مقاعد للجلوس والراحة عند المشي بجانب Ljusterån.",
    ),
}
UNRELATED = {
    "sv": ("Isbana på torget", "En isbana för skridskor mitt i stan på vintern."),
    "en": ("Ice rink on the square", "A skating rink in the town centre in winter."),
    "ar": ("حلبة تزلج في الساحة", "حلبة للتزلج على الجليد في وسط المدينة في الشتاء."),
}


def said(lang: str, msgid: str) -> str:
    """The start of a translated message, before any placeholder."""
    return translator(lang).gettext(msgid).split("{")[0].strip()


def asked_cost(lang: str) -> str:
    return said(
        lang,
        "Roughly what would it cost, in kronor? A guess is fine; staff will estimate it "
        "properly. Write a number, for example 50000.",
    )


def similar_intro(lang: str) -> str:
    return (
        translator(lang)
        .ngettext(
            "There is already an idea in the round that looks like yours:",
            "There are already {n} ideas in the round that look like yours:",
            1,
        )
        .split("{")[0]
        .strip()
    )


async def start_draft(user, lang: str, title: str, description: str, started=False) -> str:
    if not started:
        await user.run([("/start", LANGUAGES[lang]), (LANGUAGES[lang], "")])
    await user.run([("/propose", ""), ("1", "")])
    await user.send(title)
    return await user.send(description)


async def proposals_count(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Proposal))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_near_duplicate_is_offered_and_can_be_submitted_anyway(
    lang, seeded, chat, sessions
) -> None:
    await seeded(Phase.IDEAS)
    user = chat(f"similar-{lang}")
    before = await proposals_count(sessions)
    out = await start_draft(user, lang, *DRAFTS[lang])
    assert similar_intro(lang) in out
    assert "#1 Fler bänkar längs Ljusterån" in out
    assert "#5 " not in out  # the rejected proposal is never offered
    t = translator(lang)
    out = await user.send(payload=user.payload_of("#1 "))
    assert "Fler bänkar längs Ljusterån" in out and t.gettext("Comment or follow there") in out
    out = await user.send(t.gettext("Back to my idea"))
    assert similar_intro(lang) in out
    out = await user.send(t.gettext("Submit mine anyway"))
    assert asked_cost(lang) in out
    await user.send("45000")
    out = await user.send(t.gettext("Submit"))
    thanks = (
        "Thank you! Your idea #{id} has been submitted. Staff will review it and you will "
        "be told the outcome. You can follow it under /ideas."
    )
    assert said(lang, thanks) in out
    assert await proposals_count(sessions) == before + 1


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_unrelated_idea_goes_straight_on(lang, seeded, chat) -> None:
    await seeded(Phase.IDEAS)
    user = chat(f"unrelated-{lang}")
    out = await start_draft(user, lang, *UNRELATED[lang])
    assert similar_intro(lang) not in out
    assert asked_cost(lang) in out


async def test_commenting_there_instead_submits_nothing(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    user = chat("joins-sv")
    before = await proposals_count(sessions)
    await start_draft(user, "sv", *DRAFTS["sv"])
    await user.send("#1 Fler bänkar längs Ljusterån")
    out = await user.send("Kommentera eller följ där")
    assert "Skriv en kommentar" in out and "Följ" in out  # the proposal's own card
    write = user.payload_of("Skriv en kommentar")
    await user.run([("Följ", "Nu följer du #1")])
    await user.send(payload=write)
    out = await user.send("Håller med, och gärna med ryggstöd!")
    assert "Skriv under som Invånare" in out  # the first comment: choose a signature
    out = await user.send(payload=user.payload_of("Skriv under som"))
    assert "publicerad" in out
    assert await proposals_count(sessions) == before
    stale = await user.send(payload="propose:anyway")
    assert "fungerar inte längre" in stale


async def test_forged_and_stale_similar_buttons_change_nothing(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    user = chat("forger")
    await user.run([("/start", "Svenska"), ("Svenska", "")])
    for payload in ("propose:anyway", "propose:similar", "propose:see:1", "propose:see:x"):
        assert "fungerar inte längre" in await user.send(payload=payload)
    await start_draft(user, "sv", *DRAFTS["sv"], started=True)
    for payload in ("propose:see:3", "propose:see:99999999999", "propose:see:"):
        assert "fungerar inte längre" in await user.send(payload=payload)
    out = await user.send("vad menar du?")
    assert similar_intro("sv") in out  # typed text: the choice is asked again
    out = await user.send("Skicka in min ändå")
    assert asked_cost("sv") in out
