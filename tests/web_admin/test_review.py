"""Reviewing ideas and moderating comments: the database and the outbox afterwards."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import (
    Comment,
    Follower,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Review,
    Round,
)
from tests.web_admin.harness import (
    MODERATOR,
    Browser,
    audit_actions,
    outbox,
    proposal_titled,
)


async def test_an_idea_is_assessed_reworded_and_accepted(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Bokbuss varje vecka")
    async with sessions() as session, session.begin():
        fan = Participant(display_name="fan", round_id=town.id)
        session.add(fan)
        await session.flush()
        session.add(Follower(participant_id=fan.id, proposal_id=idea.id))
    moderator = browser()
    await moderator.login(*MODERATOR)
    queue = await moderator.get(f"/admin/rounds/{town.id}/review")
    assert "Bokbuss varje vecka" in queue.text and "Utegym" not in queue.text
    page = await moderator.get(f"/admin/proposals/{idea.id}")
    assert page.status_code == 200
    criteria = [c.id for c in town.criteria]
    verdicts = {f"met_{criteria[0]}": "yes", f"note_{criteria[0]}": "Many use the library"}
    verdicts |= {f"met_{criteria[1]}": "no", "staff_cost": "120 000"}
    verdicts |= {f"met_{criteria[2]}": "yes", f"met_{criteria[3]}": "yes"}
    await moderator.post(f"/admin/proposals/{idea.id}/assess", {"staff_cost": "lots"})
    assert "whole kronor" in (await moderator.get(f"/admin/proposals/{idea.id}")).text
    await moderator.post(f"/admin/proposals/{idea.id}/assess", verdicts)
    await moderator.post(
        f"/admin/proposals/{idea.id}/edit",
        {"title": "Bokbuss varje vecka i alla byar", "description": "En bokbuss varje vecka."},
    )
    response = await moderator.post(f"/admin/proposals/{idea.id}/accept", {"reason": ""})
    assert response.status_code == 303
    async with sessions() as session:
        proposal = await session.get(Proposal, idea.id)
        reviews = (await session.scalars(select(Review).where(Review.proposal_id == idea.id))).all()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.staff_cost == 120_000 and proposal.cost == 120_000
    assert proposal.title == "Bokbuss varje vecka i alla byar"
    assert proposal.original_title == "Bokbuss varje vecka"
    assert proposal.original_description.startswith("En bokbuss som kommer")
    assert {(r.criterion_id, r.met, r.note) for r in reviews} == {
        (criteria[0], True, "Many use the library"),
        (criteria[1], False, None),
        (criteria[2], True, None),
        (criteria[3], True, None),
    }
    [outcome] = await outbox(sessions, NotificationKind.REVIEW_OUTCOME)
    assert outcome.participant_id == idea.author_id
    assert outcome.payload == {
        "params": {"proposal_id": idea.id, "outcome": "accepted", "reason": None}
    }
    changed = await outbox(sessions, NotificationKind.FOLLOWED_CHANGED)
    assert {n.proposal_id for n in changed} == {idea.id}
    assert [n.payload["params"]["change"] for n in changed] == ["cost", "edited", "accepted"]
    assert await audit_actions(sessions) == [
        "login",
        "proposal.assess",
        "proposal.edit",
        "proposal.accept",
    ]


async def test_a_rejection_needs_a_reason_the_author_receives(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Laddstolpar på landet")
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.post(f"/admin/proposals/{idea.id}/reject", {"reason": "  "})
    page = await moderator.get(f"/admin/proposals/{idea.id}")
    assert "Give a reason" in page.text
    assert await outbox(sessions) == []
    reason = "Laddstolpar ägs av elbolaget, inte kommunen."
    await moderator.post(f"/admin/proposals/{idea.id}/reject", {"reason": reason})
    async with sessions() as session:
        proposal = await session.get(Proposal, idea.id)
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.rejection_reason == reason
    [outcome] = await outbox(sessions, NotificationKind.REVIEW_OUTCOME)
    assert outcome.participant_id == idea.author_id
    assert outcome.payload["params"] == {
        "proposal_id": idea.id,
        "outcome": "rejected",
        "reason": reason,
    }


async def test_a_duplicate_is_merged_into_a_proposal_of_the_same_area(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    duplicate = await proposal_titled(sessions, "Cykelställ vid skolan")
    target = await proposal_titled(sessions, "Hundrastgård")
    elsewhere = await proposal_titled(sessions, "Utegym vid Säterdalen")
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.post(f"/admin/proposals/{duplicate.id}/merge", {"target_id": elsewhere.id})
    assert await outbox(sessions) == []
    await moderator.post(
        f"/admin/proposals/{duplicate.id}/merge",
        {"target_id": target.id, "reason": "Samma idé som hundrastgården."},
    )
    async with sessions() as session:
        merged = await session.get(Proposal, duplicate.id)
    assert merged.status == ProposalStatus.MERGED and merged.merged_into_id == target.id
    [outcome] = await outbox(sessions, NotificationKind.REVIEW_OUTCOME)
    assert outcome.payload["params"]["outcome"] == "merged"
    assert outcome.payload["params"]["reason"] == "Samma idé som hundrastgården."
    page = await moderator.get(f"/admin/proposals/{duplicate.id}")
    assert f"#{target.id} Hundrastgård" in page.text


async def test_a_hidden_comment_tells_its_author_why(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        comment = (await session.scalars(select(Comment))).first()
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/rounds/{town.id}/comments")
    assert comment.body in page.text
    await moderator.post(f"/admin/comments/{comment.id}/hide", {"reason": ""})
    assert await outbox(sessions) == []
    await moderator.post(
        f"/admin/comments/{comment.id}/hide",
        {"reason": "Personuppgifter om en annan person.", "next": "https://evil.example/"},
    )
    async with sessions() as session:
        hidden = await session.get(Comment, comment.id)
    assert hidden.hidden_reason == "Personuppgifter om en annan person."
    [note] = await outbox(sessions, NotificationKind.COMMENT_HIDDEN)
    assert note.participant_id == comment.author_id
    assert note.payload == {
        "params": {
            "proposal_id": comment.proposal_id,
            "reason": "Personuppgifter om en annan person.",
        }
    }
    hidden_page = await moderator.get(f"/admin/rounds/{town.id}/comments?show=hidden")
    assert comment.body in hidden_page.text
    await moderator.post(f"/admin/comments/{comment.id}/show")
    async with sessions() as session:
        assert (await session.get(Comment, comment.id)).hidden_reason is None
    assert len(await outbox(sessions)) == 1


async def test_suggested_duplicates_are_shown_in_the_queue_and_on_the_proposal(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    benches = await proposal_titled(sessions, "Fler bänkar längs Ljusterån")
    async with sessions() as session, session.begin():
        draft = Proposal(
            round_id=town.id,
            area_id=benches.area_id,
            title="Sittplatser vid Ljusterån <b>nu</b>",
            description="Vi äldre behöver bänkar att vila på när vi promenerar vid Ljusterån.",
            estimated_cost=40_000,
            status=ProposalStatus.SUBMITTED,
        )
        session.add(draft)
    moderator = browser()
    await moderator.login(*MODERATOR)
    queue = (await moderator.get(f"/admin/rounds/{town.id}/review")).text
    row = next(line for line in queue.split("<tr>") if f'/admin/proposals/{draft.id}"' in line)
    assert f'<a href="/admin/proposals/{benches.id}">#{benches.id} Fler bänkar' in row
    assert "&lt;b&gt;nu&lt;/b&gt;" in queue and "<b>nu</b>" not in queue
    bokbuss = next(line for line in queue.split("<tr>") if "Bokbuss varje vecka" in line)
    assert "Fler bänkar" not in bokbuss  # an unrelated idea suggests nothing
    page = (await moderator.get(f"/admin/proposals/{draft.id}")).text
    assert "Suggested duplicates" in page
    assert f'<a href="/admin/proposals/{benches.id}">#{benches.id} Fler bänkar' in page
    other = (await moderator.get(f"/admin/proposals/{benches.id}")).text
    assert f'<a href="/admin/proposals/{draft.id}">#{draft.id} Sittplatser' in other
    async with sessions() as session:
        assert (await session.get(Proposal, draft.id)).status == ProposalStatus.SUBMITTED
