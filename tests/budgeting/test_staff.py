"""Staff use cases on a real database, without HTTP: they change rows, audit, fill the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Area,
    AuditEntry,
    Comment,
    Follower,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Round,
    StaffUser,
    utcnow,
)
from budgeting.phases import Phase, schedule
from budgeting.services.errors import RuleViolation
from budgeting.services.staff import followup, moderation, results, review, setup
from budgeting.services.staff.followers import tell_followers

NOW = utcnow()


async def a_round(session: AsyncSession, phase: Phase = Phase.REVIEW) -> Round:
    """A stored round pinned to ``phase`` with two areas (600 and 400 of 1000 kronor)."""
    round_ = Round(
        slug="staff-test",
        budget=1000,
        areas=[Area(budget=600, texts={"sv": {"name": "Norr"}}), Area(budget=400)],
        criteria=[],
    )
    schedule(round_, phase, NOW)
    round_.phase_override = phase.value
    session.add(round_)
    await session.flush()
    return round_


async def a_proposal(session: AsyncSession, round_: Round, title: str, **fields) -> Proposal:
    fields.setdefault("area_id", round_.areas[0].id)
    proposal = Proposal(
        round_id=round_.id, title=title, description=f"About {title}", estimated_cost=100, **fields
    )
    session.add(proposal)
    await session.flush()
    return proposal


async def a_staff_member(session: AsyncSession) -> StaffUser:
    staff = StaffUser(email="staff@example.org", password_hash="-", role="admin")
    session.add(staff)
    await session.flush()
    return staff


async def audited(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def queued(session: AsyncSession) -> list[tuple[str, int | None, int | None]]:
    rows = await session.execute(
        select(Notification.kind, Notification.proposal_id, Notification.participant_id).order_by(
            Notification.id
        )
    )
    return [tuple(row) for row in rows.all()]


async def test_a_merge_tells_author_and_followers(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session)
        staff = await a_staff_member(session)
        author, follower = Participant(display_name="a"), Participant(display_name="f")
        session.add_all([author, follower])
        await session.flush()
        target = await a_proposal(session, round_, "Benches")
        duplicate = await a_proposal(session, round_, "More benches", author_id=author.id)
        session.add(Follower(participant_id=follower.id, proposal_id=duplicate.id))
        await session.flush()

        await review.merge_proposal(session, staff, round_, duplicate, target, " same ", NOW)

        assert (duplicate.status, duplicate.merged_into_id) == (ProposalStatus.MERGED, target.id)
        assert duplicate.rejection_reason == "same"
        assert await audited(session) == ["proposal.merge"]
        assert await queued(session) == [
            ("review_outcome", duplicate.id, author.id),
            ("followed_changed", duplicate.id, None),
        ]


async def test_a_refused_review_changes_nothing(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session)
        staff = await a_staff_member(session)
        proposal = await a_proposal(session, round_, "Lights")
        other_area = await a_proposal(session, round_, "Paths", area_id=round_.areas[1].id)
        with pytest.raises(RuleViolation) as error:
            await review.merge_proposal(session, staff, round_, proposal, other_area, "", NOW)
        assert error.value.message == (
            "Choose another open or accepted proposal of the same round and area to merge into."
        )
        with pytest.raises(RuleViolation) as error:
            await review.reject_proposal(session, staff, round_, proposal, "  ", NOW)
        assert error.value.code == "reason_required"
        assert proposal.status == ProposalStatus.SUBMITTED
        assert await audited(session) == []
        assert await queued(session) == []
        assert not await tell_followers(session, NotificationKind.FOLLOWED_CHANGED, proposal, {})


async def test_count_after_voting_then_publish_once(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session, Phase.VOTING)
        staff = await a_staff_member(session)
        await a_proposal(session, round_, "Swings", status=ProposalStatus.ACCEPTED)
        with pytest.raises(RuleViolation) as error:
            await results.count_ballots(session, staff, round_, "greedy", NOW)
        assert error.value.code == "voting_not_closed"
        round_.phase_override = Phase.DECISION.value
        with pytest.raises(RuleViolation) as error:
            await results.publish(session, staff, round_, NOW)
        assert error.value.code == "nothing_counted"
        runs = await results.count_ballots(session, staff, round_, "greedy", NOW)
        assert len(runs) == 2
        await results.publish(session, staff, round_, NOW)
        assert round_.results_published_at == NOW
        with pytest.raises(RuleViolation) as error:
            await results.publish(session, staff, round_, NOW)
        assert error.value.code == "already_published"
        assert await audited(session) == ["tally.count", "tally.publish"]


async def test_budget_shares_are_kept_when_setting_up(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session)
        staff = await a_staff_member(session)
        names = {"sv": {"name": "Söder"}}
        with pytest.raises(RuleViolation) as error:
            await setup.save_area(session, staff, round_, None, names, 1, None, NOW)
        assert (error.value.code, error.value.params) == ("areas_over_budget", {"budget": 1000})
        area = await setup.save_area(session, staff, round_, round_.areas[1], names, 300, None, NOW)
        assert area.budget == 300
        values = {"slug": round_.slug, "budget": 899}
        with pytest.raises(RuleViolation) as error:
            await setup.save_round(session, staff, round_, values, NOW)
        assert error.value.code == "round_budget_below_areas"
        assert (
            await setup.save_round(session, staff, round_, {**values, "budget": 900}, NOW)
        ).budget
        assert await audited(session) == ["area.save", "round.update"]


async def test_moderation_and_broadcasts(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session)
        staff = await a_staff_member(session)
        proposal = await a_proposal(session, round_, "Library")
        author = Participant(display_name="c")
        session.add(author)
        await session.flush()
        comment = Comment(proposal_id=proposal.id, author_id=author.id, body="!!!")
        session.add(comment)
        await session.flush()
        await moderation.hide_comment(session, staff, comment, proposal, "Rude", NOW)
        with pytest.raises(RuleViolation):
            await moderation.hide_comment(session, staff, comment, proposal, "Again", NOW)
        await moderation.show_comment(session, staff, comment)
        broadcast = followup.check_broadcast(round_, {"sv": " Hej ", "en": ""}, {}, None, NOW)
        assert (broadcast.texts, broadcast.due_at) == ({"sv": "Hej"}, NOW)
        notification = await followup.schedule_broadcast(session, staff, round_, broadcast)
        await followup.cancel_broadcast(session, staff, notification)
        assert await audited(session) == [
            "comment.hide",
            "comment.show",
            "broadcast.schedule",
            "broadcast.cancel",
        ]
        kinds = await session.scalars(select(Notification.kind))
        assert list(kinds.all()) == ["comment_hidden"]  # the broadcast is withdrawn
