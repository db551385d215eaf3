"""Flagging comments on a real database (SQLite and PostgreSQL): the threshold per round,
one flag per person, the staff queue and what staff do with it, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    AuditEntry,
    Comment,
    CommentFlag,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    Round,
    utcnow,
)
from budgeting.phases import Phase
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.flagging import flag_comment
from budgeting.services.staff import flags, moderation
from tests.budgeting.test_staff import a_staff_member
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE

NOW = utcnow()


async def town_with_residents(session: AsyncSession, n: int) -> tuple[Round, list[Participant]]:
    town, _workplace = await rounds_in_phase(session, NOW, Phase.IDEAS, TOWN, WORKPLACE)
    people = [
        Participant(display_name=f"Neighbour {i}", locale="en", round_id=town.id) for i in range(n)
    ]
    session.add_all(people)
    await session.flush()
    return town, people


async def hidden_notes(session: AsyncSession) -> list[Notification]:
    stmt = select(Notification).where(Notification.kind == NotificationKind.COMMENT_HIDDEN.value)
    return list((await session.scalars(stmt)).all())


async def test_the_rounds_threshold_hides_a_comment_once(sessions) -> None:
    async with sessions() as session, session.begin():
        town, people = await town_with_residents(session, 3)
        assert town.flag_threshold == 3  # the default
        town.flag_threshold = 2
        first = await flag_comment(session, town, people[0], 1, "spam", NOW)
        assert not first.hidden and first.comment.hidden_reason is None
        second = await flag_comment(session, town, people[1], 1, "personal_data", NOW)
        assert second.hidden
        comment = await session.get(Comment, 1)
        assert comment.hidden_by_flags and comment.hidden_at == NOW
        assert comment.hidden_reason == "personal_data"  # ties: the earlier listed reason
        [note] = await hidden_notes(session)
        assert note.participant_id == comment.author_id and note.due_at == NOW
        with pytest.raises(RuleViolation) as refused:  # hidden now: a third cannot flag it
            await flag_comment(session, town, people[2], 1, "spam", NOW)
        assert refused.value.code == "comment_unavailable"
        assert len(await hidden_notes(session)) == 1


async def test_one_flag_a_person_never_ones_own_never_another_rounds(sessions) -> None:
    async with sessions() as session, session.begin():
        town, people = await town_with_residents(session, 1)
        await flag_comment(session, town, people[0], 1, "off_topic", NOW)
        for comment_id, reason, code in (
            (1, "spam", "already_flagged"),
            (1, "rude", "already_flagged"),
            (10**6, "spam", "comment_unavailable"),
        ):
            with pytest.raises(RuleViolation) as refused:
                await flag_comment(session, town, people[0], comment_id, reason, NOW)
            assert refused.value.code == code
        author = await session.get(Participant, (await session.get(Comment, 1)).author_id)
        with pytest.raises(RuleViolation) as refused:
            await flag_comment(session, town, author, 1, "spam", NOW)
        assert refused.value.code == "flag_own_comment"
        other = await session.get(Proposal, 2)
        session.add(Comment(proposal_id=other.id, author_id=author.id, body="Bra!"))
        await session.flush()
        with pytest.raises(RuleViolation) as refused:
            await flag_comment(session, town, people[0], 2, "gossip", NOW)
        assert refused.value.code == "flag_reason_unknown"
        workplace = (await session.scalars(select(Round).where(Round.slug == WORKPLACE.slug))).one()
        elsewhere = (
            await session.scalars(select(Proposal).where(Proposal.round_id == workplace.id))
        ).first()
        session.add(Comment(proposal_id=elsewhere.id, author_id=author.id, body="Internt"))
        await session.flush()
        foreign = (await session.scalars(select(Comment).where(Comment.body == "Internt"))).one()
        with pytest.raises(RuleViolation) as refused:
            await flag_comment(session, town, people[0], foreign.id, "spam", NOW)
        assert refused.value.code == "proposal_unavailable"
        assert len((await session.scalars(select(CommentFlag))).all()) == 1


async def test_the_queue_restore_keep_hidden_and_dismiss(sessions) -> None:
    async with sessions() as session, session.begin():
        town, people = await town_with_residents(session, 6)
        staff = await a_staff_member(session)
        author = (await session.get(Comment, 1)).author_id
        session.add(Comment(proposal_id=2, author_id=author, body="Köp billiga klockor här"))
        await session.flush()
        spam = (await session.scalars(select(Comment).where(Comment.proposal_id == 2))).one()
        await flag_comment(session, town, people[0], spam.id, "spam", NOW)
        for person, reason in zip(people[:3], ("offensive", "offensive", "other"), strict=True):
            await flag_comment(session, town, person, 1, reason, NOW)
        queue = await flags.flag_queue(session, town.id)
        assert [(e.comment.id, e.reasons, e.total) for e in queue] == [
            (1, {"offensive": 2, "other": 1}, 3),
            (spam.id, {"spam": 1}, 1),
        ]
        assert await flags.flagged_count(session, town.id) == 2
        # restore the hidden one: visible again, out of the queue, the same people cannot re-flag
        await moderation.show_comment(session, staff, await session.get(Comment, 1), NOW)
        restored = await session.get(Comment, 1)
        assert restored.hidden_reason is None and not restored.hidden_by_flags
        assert [e.comment.id for e in await flags.flag_queue(session, town.id)] == [spam.id]
        with pytest.raises(RuleViolation):
            await flag_comment(session, town, people[0], 1, "offensive", NOW)
        # three others hide it again; staff keep it hidden this time
        for person in people[3:6]:
            await flag_comment(session, town, person, 1, "personal_data", NOW)
        assert (await session.get(Comment, 1)).hidden_reason == "personal_data"
        await flags.keep_hidden(session, staff, await session.get(Comment, 1), NOW)
        assert (await session.get(Comment, 1)).hidden_reason == "personal_data"
        with pytest.raises(RuleViolation) as refused:
            await flags.keep_hidden(session, staff, await session.get(Comment, 1), NOW)
        assert refused.value.code == "no_open_flags"
        # dismiss the spam flag: stays visible, flags cleared
        await flags.dismiss_flags(session, staff, spam, NOW)
        assert spam.hidden_reason is None
        assert await flags.flag_queue(session, town.id) == []
        with pytest.raises(RuleViolation):
            await flags.dismiss_flags(session, staff, spam, NOW)
        open_flags = await session.scalars(
            select(CommentFlag).where(CommentFlag.resolved_at.is_(None))
        )
        assert open_flags.all() == []
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        assert actions == ["comment.show", "comment.flags_upheld", "comment.flags_dismissed"]
        assert len(await hidden_notes(session)) == 2  # each time flags hid it, never on restore


async def test_staff_hiding_a_flagged_comment_settles_its_flags(sessions) -> None:
    async with sessions() as session, session.begin():
        town, people = await town_with_residents(session, 1)
        staff = await a_staff_member(session)
        await flag_comment(session, town, people[0], 1, "offensive", NOW)
        comment = await session.get(Comment, 1)
        proposal = await session.get(Proposal, 1)
        await moderation.hide_comment(session, staff, comment, proposal, "Personangrepp.", NOW)
        assert comment.hidden_reason == "Personangrepp." and not comment.hidden_by_flags
        assert await flags.flag_queue(session, town.id) == []
        [note] = await hidden_notes(session)
        assert note.payload["params"]["reason"] == "Personangrepp."


def test_pure_rules() -> None:
    assert rules.main_reason(["spam", "other", "spam"]) == "spam"
    assert rules.main_reason(["other", "off_topic"]) == "off_topic"
    assert rules.reaches_threshold(3, 3) and not rules.reaches_threshold(2, 3)
    assert rules.reaches_threshold(1, 0)  # a threshold is at least one
