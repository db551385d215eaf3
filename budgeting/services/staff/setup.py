"""Setting up a round (SKR step 1) and its marketing campaigns (step 2); staff accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Area,
    Ballot,
    Campaign,
    Criterion,
    Proposal,
    Review,
    Round,
    StaffUser,
)
from budgeting.services import rules
from budgeting.services.reminders import enter_phase
from budgeting.services.staff.audit import audit

CAMPAIGN_LABEL_MAX_LENGTH = 200


async def ballots_cast(session: AsyncSession, round_: Round) -> int:
    """How many ballots the round has (paper ones included)."""
    count = select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)
    return await session.scalar(count) or 0


async def settings_lock(session: AsyncSession, round_: Round, now: datetime) -> str | None:
    """Why the round's ballot settings and areas are locked (a refusal code), or None."""
    return rules.settings_lock(round_, now, await ballots_cast(session, round_))


async def save_round(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round | None,
    values: dict[str, Any],
    now: datetime,
) -> Round:
    """Create a round, or change an existing one, from checked form values; what ballots are
    cast under is locked once voting has opened."""
    clash = await session.scalar(
        select(Round.id).where(
            Round.slug == values["slug"], Round.id != (round_.id if round_ else 0)
        )
    )
    if clash is not None:
        raise rules.refusal("slug_taken")
    created = round_ is None
    if round_ is not None:
        rules.check_settings_change(round_, values, now, await ballots_cast(session, round_))
        rules.check_round_budget((a.budget for a in round_.areas), values["budget"])
    if round_ is None:
        round_ = Round(areas=[], criteria=[])
        session.add(round_)
    changed = {k for k, v in values.items() if getattr(round_, k, None) != v}
    for name, value in values.items():
        setattr(round_, name, value)
    await session.flush()
    await audit(
        session,
        staff,
        "round.create" if created else "round.update",
        f"round:{round_.id}",
        fields=sorted(changed),
    )
    return round_


async def set_phase_override(
    session: AsyncSession, staff: StaffUser, round_: Round, phase: str | None, now: datetime
) -> None:
    """Pin the round to a phase regardless of its dates (None: follow the dates). The phase
    the round is in now sends the messages its date would (voting opens, the survey …),
    unless they were sent already."""
    rules.check_phase_override(phase)
    round_.phase_override = phase
    await audit(session, staff, "round.phase_override", f"round:{round_.id}", phase=phase)
    await enter_phase(session, round_, now)


async def save_area(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    area: Area | None,
    names: dict[str, dict[str, str]],
    budget: int | None,
    position: int | None,
    now: datetime,
    requires_voting_code: bool = False,
) -> Area:
    """Add an area (theme, group) to the round, or change one, with its share of the
    budget and, for a group, whether voting in it needs a voting code (once voting has
    opened only its name, order and code requirement)."""
    rules.check_swedish_name(names, "area_name")
    cast = await ballots_cast(session, round_)
    rules.check_areas_change(round_, area.id if area else None, budget, now, cast)
    rules.check_area_budget(round_, area.id if area else None, budget)
    assert budget is not None
    if area is None:
        area = Area(round_id=round_.id, position=len(round_.areas))
        session.add(area)
    area.texts = names
    area.budget = budget
    area.requires_voting_code = requires_voting_code
    if position is not None:
        area.position = position
    await session.flush()
    await audit(session, staff, "area.save", f"area:{area.id}", budget=budget)
    return area


async def delete_area(
    session: AsyncSession, staff: StaffUser, round_: Round, area: Area, now: datetime
) -> None:
    """Remove an area that has no proposals and no ballots yet, before voting opens."""
    rules.check_areas_change(round_, area.id, None, now, await ballots_cast(session, round_))
    used = await session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.area_id == area.id)
    ) or await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.area_id == area.id)
    )
    rules.check_removable(used or 0, "area_in_use")
    await audit(session, staff, "area.delete", f"area:{area.id}")
    await session.delete(area)
    await session.flush()


async def save_criterion(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    criterion: Criterion | None,
    names: dict[str, dict[str, str]],
    position: int | None,
) -> Criterion:
    """Add a review criterion to the round, or reword one."""
    rules.check_swedish_name(names, "criterion_name")
    if criterion is None:
        criterion = Criterion(round_id=round_.id, position=len(round_.criteria))
        session.add(criterion)
    criterion.texts = names
    if position is not None:
        criterion.position = position
    await session.flush()
    await audit(session, staff, "criterion.save", f"criterion:{criterion.id}")
    return criterion


async def delete_criterion(session: AsyncSession, staff: StaffUser, criterion: Criterion) -> None:
    """Remove a criterion no proposal has been assessed against."""
    used = await session.scalar(
        select(func.count()).select_from(Review).where(Review.criterion_id == criterion.id)
    )
    rules.check_removable(used or 0, "criterion_in_use")
    await audit(session, staff, "criterion.delete", f"criterion:{criterion.id}")
    await session.delete(criterion)
    await session.flush()


async def add_campaign(
    session: AsyncSession, staff: StaffUser, round_: Round, tag: str, label: str
) -> Campaign:
    """A new campaign tag for deep links and QR codes."""
    tag, label = tag.strip(), label.strip()
    rules.check_campaign(tag, label)
    if await session.scalar(select(Campaign.id).where(Campaign.tag == tag)) is not None:
        raise rules.refusal("campaign_tag_taken")
    campaign = Campaign(round_id=round_.id, tag=tag, label=label[:CAMPAIGN_LABEL_MAX_LENGTH])
    session.add(campaign)
    await session.flush()
    await audit(session, staff, "campaign.add", f"campaign:{campaign.id}", tag=tag)
    return campaign
