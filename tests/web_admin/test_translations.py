"""Staff texts per language in the admin: Swedish required, English and Arabic optional,
stored per language, handed to the outbox and shown escaped."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import (
    Follower,
    ImplementationUpdate,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
)
from tests.web_admin.harness import ADMIN, MODERATOR, Browser, outbox, proposal_titled

EN = "<b>Costs</b> more than the whole budget."
AR = "يكلف أكثر من الميزانية كلها."


async def test_a_rejection_reason_in_three_languages(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Bokbuss varje vecka")
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/proposals/{idea.id}")
    for name in ("reason.en", "reason.ar"):
        assert f'name="{name}"' in page.text
    assert (
        'id="reject-reason-ar" name="reason.ar" rows="2" maxlength="1000" lang="ar" dir="rtl"'
        in (page.text)
    )
    forged = await moderator.client.post(
        f"/admin/proposals/{idea.id}/reject",
        data={"csrf_token": "guess", "reason": "Nej.", "reason.en": "No."},
    )
    assert forged.status_code == 403
    response = await moderator.confirm(
        f"/admin/proposals/{idea.id}/reject",
        {"reason": "Kostar för mycket.", "reason.en": EN, "reason.ar": AR, "reason.xx": "?"},
    )
    assert response.status_code == 303
    async with sessions() as session:
        proposal = await session.get(Proposal, idea.id)
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.rejection_reason == "Kostar för mycket."
    assert proposal.texts == {
        "sv": {"reason": "Kostar för mycket."},
        "en": {"reason": EN},
        "ar": {"reason": AR},
    }
    [told] = await outbox(sessions, NotificationKind.REVIEW_OUTCOME)
    assert told.payload["params"]["reasons"] == {"sv": "Kostar för mycket.", "en": EN, "ar": AR}
    page = await moderator.get(f"/admin/proposals/{idea.id}")
    assert "&lt;b&gt;Costs&lt;/b&gt;" in page.text and EN not in page.text
    assert f'<dd lang="ar" dir="rtl">{AR}</dd>' in page.text


async def test_a_translation_needs_the_swedish_text(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    duplicate = await proposal_titled(sessions, "Bokbuss varje vecka")
    target = await proposal_titled(sessions, "Laddstolpar på landet")
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.get(f"/admin/proposals/{duplicate.id}")
    await moderator.confirm(
        f"/admin/proposals/{duplicate.id}/merge",
        {"target_id": str(target.id), "reason": "", "reason.en": "Same idea as #12."},
    )
    page = await moderator.get(f"/admin/proposals/{duplicate.id}")
    assert "Write the Swedish text too" in page.text
    async with sessions() as session:
        unchanged = await session.get(Proposal, duplicate.id)
    assert unchanged.status == ProposalStatus.SUBMITTED and unchanged.texts == {}
    assert await outbox(sessions, NotificationKind.REVIEW_OUTCOME) == []
    await moderator.confirm(
        f"/admin/proposals/{duplicate.id}/merge",
        {"target_id": str(target.id), "reason": "Samma idé.", "reason.en": "Same idea."},
    )
    async with sessions() as session:
        merged = await session.get(Proposal, duplicate.id)
    assert merged.status == ProposalStatus.MERGED and merged.merged_into_id == target.id
    assert merged.texts == {"sv": {"reason": "Samma idé."}, "en": {"reason": "Same idea."}}


async def _selected_with_a_follower(sessions, town: Round) -> Proposal:
    async with sessions() as session, session.begin():
        project = (await session.scalars(select(Proposal).order_by(Proposal.id))).first()
        project.status = ProposalStatus.SELECTED
        fan = Participant(display_name="fan", round_id=town.id, locale="en")
        session.add(fan)
        await session.flush()
        session.add(Follower(participant_id=fan.id, proposal_id=project.id))
    return project


async def test_a_council_note_and_an_update_per_language(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    project = await _selected_with_a_follower(sessions, town)
    admin = browser()
    await admin.login(*ADMIN)
    page = await admin.get(f"/admin/rounds/{town.id}/implementation")
    assert 'name="body.en"' in page.text and f'id="body-{project.id}-ar"' in page.text
    await admin.post(
        f"/admin/proposals/{project.id}/updates",
        {
            "status": "in_progress",
            "progress": "40",
            "body": "Bänkarna är beställda.",
            "body.en": "The benches are ordered.",
        },
    )
    [update] = await outbox(sessions, NotificationKind.IMPLEMENTATION)
    assert update.payload["params"]["texts"] == {
        "sv": "Bänkarna är beställda.",
        "en": "The benches are ordered.",
    }
    await admin.post(
        f"/admin/proposals/{project.id}/decision",
        {"decision": "approved", "note": "Beslut i KF.", "note.ar": AR},
    )
    [decision] = await outbox(sessions, NotificationKind.DECISION)
    assert decision.payload["params"]["notes"] == {"sv": "Beslut i KF.", "ar": AR}
    async with sessions() as session:
        proposal = await session.get(Proposal, project.id)
        [stored] = (await session.scalars(select(ImplementationUpdate))).all()
    assert proposal.decision_note == "Beslut i KF."
    assert proposal.texts == {"sv": {"decision_note": "Beslut i KF."}, "ar": {"decision_note": AR}}
    assert stored.body == "Bänkarna är beställda."
    assert stored.texts == {
        "sv": {"body": "Bänkarna är beställda."},
        "en": {"body": "The benches are ordered."},
    }
