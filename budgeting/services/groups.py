"""The group a participant belongs to in a round split by groups: declared once, kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import GroupMembership, Participant, Round, SplitKind
from budgeting.services import rules
from budgeting.services.errors import RuleViolation


async def declared_group(
    session: AsyncSession, round_: Round, participant: Participant
) -> int | None:
    """The id of the group the participant declared in this round, if any."""
    membership = await session.get(GroupMembership, (participant.id, round_.id))
    return membership.area_id if membership is not None else None


async def declare_group(
    session: AsyncSession, round_: Round, participant: Participant, area_id: int, now: datetime
) -> int:
    """Record the participant's group (once: a later, different answer is refused)."""
    if round_.split_kind != SplitKind.GROUP:
        raise RuleViolation("not_split_by_group")
    rules.check_area(round_, area_id)
    declared = await declared_group(session, round_, participant)
    if declared is not None and declared != area_id:
        raise RuleViolation("group_declared")
    if declared is None:
        session.add(
            GroupMembership(
                participant_id=participant.id, round_id=round_.id, area_id=area_id, declared_at=now
            )
        )
        await session.flush()
    return area_id


async def members_per_group(session: AsyncSession, round_id: int) -> dict[int, int]:
    """How many participants declared each group (counts only)."""
    rows = await session.execute(
        select(GroupMembership.area_id, func.count())
        .where(GroupMembership.round_id == round_id)
        .group_by(GroupMembership.area_id)
    )
    return {area_id: count for area_id, count in rows.all()}
