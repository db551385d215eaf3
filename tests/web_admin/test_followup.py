"""Counting, publishing, council decisions, implementation updates, messages and the survey."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    SurveyAnswer,
    TallyRun,
)
from tests.builders import RECEIPT_PREFIX, cast_ballots
from tests.web_admin.harness import ADMIN, MODERATOR, Browser, audit_actions, outbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _with_ballots(sessions: async_sessionmaker[AsyncSession], round_: Round) -> None:
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, round_.id)
        await session.refresh(round_, ["areas"])
        await cast_ballots(session, round_)


async def test_count_publish_and_record_the_decision(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _with_ballots(sessions, town)
    admin = browser()
    await admin.login(*ADMIN)
    base = f"/admin/rounds/{town.id}"
    await admin.get(f"{base}/results")
    await admin.post(f"{base}/results/count", {"rule": "greedy"})  # voting is not over
    async with sessions() as session:
        assert (await session.scalars(select(TallyRun))).first() is None
    await admin.confirm(f"{base}/phase", {"phase": "decision"})
    await admin.post(f"{base}/results/count", {"rule": "greedy"})
    page = await admin.get(f"{base}/results")
    assert page.text.count('<svg role="img"') == len(town.areas)
    assert "Counted but not published" in page.text
    assert await outbox(sessions) == []
    await admin.confirm(f"{base}/results/publish")
    [results] = await outbox(sessions, NotificationKind.RESULTS)
    assert results.round_id == town.id
    async with sessions() as session:
        selected = (
            await session.scalars(
                select(Proposal).where(Proposal.status == ProposalStatus.SELECTED)
            )
        ).all()
        fan = Participant(display_name="fan", round_id=town.id)
        session.add(fan)
        await session.flush()
        session.add(Follower(participant_id=fan.id, proposal_id=selected[0].id))
        await session.commit()
    assert selected
    page = await admin.get(f"{base}/results")
    assert "Council decisions" in page.text and "Published" in page.text
    assert 'name="note.en"' in page.text and 'name="note.ar"' in page.text
    await admin.confirm(f"{base}/results/publish")  # once is enough
    assert len(await outbox(sessions, NotificationKind.RESULTS)) == 1
    await admin.post(
        f"/admin/proposals/{selected[0].id}/decision",
        {"decision": "approved", "note": "Beslut i KF 2027-03-12"},
    )
    [decision] = await outbox(sessions, NotificationKind.DECISION)
    assert decision.proposal_id == selected[0].id
    assert decision.payload["params"]["decision"] == "approved"
    async with sessions() as session:
        proposal = await session.get(Proposal, selected[0].id)
    assert proposal.council_decision == "approved"
    assert proposal.decision_note == "Beslut i KF 2027-03-12"
    assert (await audit_actions(sessions))[-4:] == [
        "round.phase_override",
        "tally.count",
        "tally.publish",
        "proposal.decision",
    ]


async def test_implementation_updates_with_a_photo(
    town: Round,
    browser: Callable[[], Browser],
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    async with sessions() as session, session.begin():
        project = (await session.scalars(select(Proposal).order_by(Proposal.id))).first()
        project.status = ProposalStatus.SELECTED
        fan = Participant(display_name="fan", round_id=town.id)
        session.add(fan)
        await session.flush()
        session.add(Follower(participant_id=fan.id, proposal_id=project.id))
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/rounds/{town.id}/implementation")
    assert project.title in page.text
    url = f"/admin/proposals/{project.id}/updates"
    form = {"csrf_token": moderator.csrf, "status": "in_progress", "progress": "40"}
    body = {**form, "body": "Bänkarna är beställda."}
    refused = await moderator.client.post(
        url, data=body, files={"photo": ("x.png", b"<svg onload=alert(1)>", "image/png")}
    )
    assert refused.status_code == 303
    assert await outbox(sessions) == []
    await moderator.client.post(url, data=body, files={"photo": ("bank.png", PNG, "image/png")})
    [stored] = list((tmp_path / "media").iterdir())
    [update] = await outbox(sessions, NotificationKind.IMPLEMENTATION)
    assert update.proposal_id == project.id
    assert update.payload["params"]["progress"] == 40
    assert update.payload["params"]["photo"] == f"/media/{stored.name}"
    served = await moderator.client.get(f"/media/{stored.name}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert (await moderator.client.get("/media/..%2Fapp.py")).status_code == 404
    await moderator.post(
        url,
        {
            **form,
            "progress": "100",
            "status": "done",
            "body": "Klart!",
            "photo_url": "https://example.org/b.jpg",
        },
    )
    async with sessions() as session:
        proposal = await session.get(Proposal, project.id)
        updates = (
            await session.scalars(select(ImplementationUpdate).order_by(ImplementationUpdate.id))
        ).all()
    assert (proposal.implementation_status, proposal.progress) == ("done", 100)
    assert [u.photo_ref for u in updates] == [f"/media/{stored.name}", "https://example.org/b.jpg"]


async def test_a_broadcast_is_previewed_then_scheduled(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        session.add_all([Participant(display_name=f"p{n}", round_id=town.id) for n in range(4)])
    admin = browser()
    await admin.login(*ADMIN)
    url = f"/admin/rounds/{town.id}/broadcasts"
    await admin.get(url)
    message = {
        "text.sv": "Tack för att du röstade!",
        "text.en": "Thank you for voting!",
        "text.ar": "",
        "audience": "all",
        "due_at": "2099-05-01T10:00",
    }
    preview = await admin.post(url, {**message, "action": "preview"})
    assert preview.status_code == 200
    assert "Thank you for voting!" in preview.text
    assert "<strong>4</strong>" in preview.text  # the round's participants
    assert await outbox(sessions) == []
    missing_swedish = await admin.post(url, {**message, "text.sv": "", "action": "schedule"})
    assert missing_swedish.status_code == 400
    await admin.post(url, {**message, "audience": "not_voted", "action": "schedule"})
    [broadcast] = await outbox(sessions, NotificationKind.BROADCAST)
    assert broadcast.payload == {
        "texts": {"sv": "Tack för att du röstade!", "en": "Thank you for voting!"},
        "audience": {"voted": False},
    }
    assert broadcast.due_at.isoformat() == "2099-05-01T08:00:00+00:00"
    await admin.post(
        url, {**message, "audience": "area", "area_id": str(town.areas[0].id), "action": "schedule"}
    )
    follow = {**message, "audience": "followers", "proposal_id": "1", "action": "schedule"}
    await admin.post(url, follow)
    audiences = [n.payload["audience"] for n in await outbox(sessions)]
    assert audiences == [{"voted": False}, {"area_id": town.areas[0].id}, {"followers_of": 1}]
    await admin.get(url)
    await admin.post(f"/admin/broadcasts/{broadcast.id}/cancel")
    assert len(await outbox(sessions, NotificationKind.BROADCAST)) == 2


async def test_voting_monitor_survey_and_exports(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _with_ballots(sessions, town)
    async with sessions() as session, session.begin():
        for score in (5, 4, 4, 2):
            session.add(
                SurveyAnswer(
                    round_id=town.id, understood=score, discussion=3, together=None, comment="Bra"
                )
            )
    moderator = browser()
    await moderator.login(*MODERATOR)
    voting = await moderator.get(f"/admin/rounds/{town.id}/voting")
    assert "Ballots so far: 120" in voting.text
    assert RECEIPT_PREFIX not in voting.text  # no receipt codes, no single ballots
    survey = await moderator.get(f"/admin/rounds/{town.id}/survey")
    assert "Answers: 4" in survey.text and "3.8" in survey.text
    assert survey.text.count('<svg role="img"') == 3
    pabulib = await moderator.get(
        f"/admin/rounds/{town.id}/export/areas/{town.areas[0].id}/pabulib"
    )
    assert pabulib.status_code == 200 and "vote_type;ordinal" in pabulib.text
    assert (await moderator.get("/admin/audit")).status_code == 403
    admin = browser()
    await admin.login(*ADMIN)
    log = await admin.get("/admin/audit")
    assert "export.pabulib" in log.text and MODERATOR[0] in log.text


async def test_the_staff_ui_speaks_swedish_by_default_and_english_on_request(
    town: Round, browser: Callable[[], Browser]
) -> None:
    visitor = browser()
    page = await visitor.get("/admin/login")
    assert '<html lang="sv">' in page.text
    page = await visitor.get("/admin/login?lang=en")
    assert '<html lang="en">' in page.text
    await visitor.post("/admin/login", {"email": ADMIN[0], "password": ADMIN[1]})
    assert '<html lang="en">' in (await visitor.get("/admin/")).text
