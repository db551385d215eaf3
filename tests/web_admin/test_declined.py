"""A project the council declined is "declined by the council" everywhere: in the review
list, on the results page, on the implementation page (listed apart, not as being
implemented, and refusing updates) and in the chat's results and proposal story."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import Proposal, ProposalStatus, Round
from budgeting.phases import Phase
from dialogs.engine import DialogEngine
from tests.builders import rounds_in_phase
from tests.dialogs.conftest import Chat, Clock
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import ADMIN, Browser, add_staff

NOTE = "Ryms inte i investeringsplanen."


def row(html: str, marker: str) -> str:
    """The table row (or list item) of ``html`` that contains ``marker``."""
    for chunk in re.split(r"<tr[ >]|<li[ >]", html):
        if marker in chunk:
            return chunk
    raise AssertionError(f"no row with {marker!r}")


async def _decided(
    sessions: async_sessionmaker[AsyncSession], browser: Callable[[], Browser]
) -> tuple[Round, Proposal, Proposal, Browser]:
    """TOWN counted and published; the council declined one selected project, approved
    another, both recorded through the admin."""
    clock = Clock()
    async with sessions() as session, session.begin():
        town, _ = await rounds_in_phase(session, clock.now, Phase.DECISION, TOWN, WORKPLACE)
    await add_staff(sessions)
    async with sessions() as session:
        declined, approved = (
            await session.scalars(
                select(Proposal)
                .where(Proposal.round_id == town.id, Proposal.status == ProposalStatus.SELECTED)
                .order_by(Proposal.id)
                .limit(2)
            )
        ).all()
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get(f"/admin/rounds/{town.id}/results")
    decide = "/admin/proposals/{}/decision"
    await admin.post(decide.format(declined.id), {"decision": "declined", "note": NOTE})
    await admin.post(decide.format(approved.id), {"decision": "approved", "note": ""})
    return town, declined, approved, admin


async def test_the_admin_shows_a_declined_project_as_declined(
    sessions: async_sessionmaker[AsyncSession], browser: Callable[[], Browser]
) -> None:
    town, declined, approved, admin = await _decided(sessions, browser)
    link = f'href="/admin/proposals/{declined.id}"'

    queue = (await admin.get(f"/admin/rounds/{town.id}/review?show=all")).text
    assert "<td>Declined by the council</td>" in row(queue, link)
    assert "<td>Selected</td>" in row(queue, f'href="/admin/proposals/{approved.id}"')
    swedish = (await admin.get(f"/admin/rounds/{town.id}/review?show=all&lang=sv")).text
    assert "<td>Inte godkänt av politikerna</td>" in row(swedish, link)
    assert "<td>Valt</td>" not in row(swedish, link)
    await admin.get("/admin/?lang=en")

    results = (await admin.get(f"/admin/rounds/{town.id}/results")).text
    assert "Yes — Declined by the council" in row(results, f"#{declined.id} {declined.title}<")
    assert "Declined by the council" not in row(results, f"#{approved.id} {approved.title}<")
    assert "Declined by the council" in row(results, link)  # the council decisions table

    page = (await admin.get(f"/admin/rounds/{town.id}/implementation")).text
    assert f'id="p{declined.id}"' not in page and f'id="p{approved.id}"' in page
    declined_part = page[page.index('id="declined-heading"') :]
    assert link in declined_part and NOTE in declined_part

    forged = {"status": "in_progress", "progress": "10", "body": "Vi börjar ändå."}
    await admin.post(f"/admin/proposals/{declined.id}/updates", forged)
    page = (await admin.get(f"/admin/rounds/{town.id}/implementation")).text
    assert "The council declined this project; it is not implemented." in page
    async with sessions() as session:
        unchanged = await session.get(Proposal, declined.id)
        assert (unchanged.implementation_status, unchanged.progress) == (None, 0)

    detail = (await admin.get(f"/admin/proposals/{declined.id}")).text
    assert "<dd>Declined by the council" in detail


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_the_chat_tells_a_declined_project_as_declined(
    lang: str, sessions: async_sessionmaker[AsyncSession], browser: Callable[[], Browser]
) -> None:
    town, declined, approved, _admin = await _decided(sessions, browser)
    t = translator(lang)
    chat = Chat(DialogEngine(sessions, clock=Clock()), user=f"resident-{lang}")
    await chat.run([("/start", LANGUAGES[lang]), (LANGUAGES[lang], "")])

    results = await chat.send("/results")
    assert f"⛔ #{declined.id} " in results and f"✅ #{approved.id} " in results
    block = next(b for b in results.split("\n\n") if "⛔" in b)
    assert t.gettext("declined by the council") in block
    assert t.gettext("approved by the council") in results

    story = await chat.send(payload=f"browse:open:{declined.id}")
    status = "⛔ " + t.gettext("Declined by the council")
    assert t.gettext("Status: {status}").format(status=status) in story
    decision = t.gettext("declined by the council")
    assert t.gettext("Decision: {decision}.").format(decision=decision) in story
    assert t.gettext("Note on the decision: {note}").format(note=NOTE) in story
    assert t.gettext("selected in the vote") not in story
