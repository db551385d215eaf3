"""Setting up a round (SKR step 1) and its marketing campaigns (step 2); staff accounts."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import (
    Area,
    Ballot,
    Campaign,
    Criterion,
    Proposal,
    Review,
    Round,
    StaffRole,
    StaffUser,
)
from budgeting.phases import Phase
from web_admin.accounts import add_user
from web_admin.actions import ActionRefused, audit

CAMPAIGN_TAG = re.compile(r"^[A-Za-z0-9_-]{1,62}$")
"""Telegram's start parameter allows these characters; ``c_`` plus the tag fits 64."""


async def save_round(
    session: AsyncSession, staff: StaffUser, round_: Round | None, values: dict[str, Any]
) -> Round:
    """Create a round, or change an existing one, from checked form values."""
    clash = await session.scalar(
        select(Round.id).where(
            Round.slug == values["slug"], Round.id != (round_.id if round_ else 0)
        )
    )
    if clash is not None:
        raise ActionRefused(_("Another round already uses this short name."))
    created = round_ is None
    if round_ is not None and sum(a.budget for a in round_.areas) > values["budget"]:
        raise ActionRefused(_("The areas' budgets add up to more than this budget."))
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
    session: AsyncSession, staff: StaffUser, round_: Round, phase: str | None
) -> None:
    """Pin the round to a phase regardless of its dates (None: follow the dates)."""
    if phase is not None and phase not in {p.value for p in Phase}:
        raise ActionRefused(_("Unknown phase."))
    round_.phase_override = phase
    await audit(session, staff, "round.phase_override", f"round:{round_.id}", phase=phase)


async def save_area(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    area: Area | None,
    names: dict[str, dict[str, str]],
    budget: int | None,
    position: int | None,
) -> Area:
    """Add an area to the round, or change one, with its share of the budget."""
    if not names.get("sv", {}).get("name"):
        raise ActionRefused(_("Give the area a Swedish name."))
    if budget is None or budget <= 0:
        raise ActionRefused(_("Give the area's budget in whole kronor."))
    others = sum(a.budget for a in round_.areas if area is None or a.id != area.id)
    if others + budget > round_.budget:
        raise ActionRefused(
            _("The areas' budgets would exceed the round's budget of {budget}."),
            budget=round_.budget,
        )
    if area is None:
        area = Area(round_id=round_.id, position=len(round_.areas))
        session.add(area)
    area.texts = names
    area.budget = budget
    if position is not None:
        area.position = position
    await session.flush()
    await audit(session, staff, "area.save", f"area:{area.id}", budget=budget)
    return area


async def delete_area(session: AsyncSession, staff: StaffUser, area: Area) -> None:
    """Remove an area that has no proposals and no ballots yet."""
    used = await session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.area_id == area.id)
    ) or await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.area_id == area.id)
    )
    if used:
        raise ActionRefused(_("The area has proposals or ballots and cannot be removed."))
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
    if not names.get("sv", {}).get("name"):
        raise ActionRefused(_("Give the criterion a Swedish wording."))
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
    if used:
        raise ActionRefused(_("Proposals were assessed against this criterion; keep it."))
    await audit(session, staff, "criterion.delete", f"criterion:{criterion.id}")
    await session.delete(criterion)
    await session.flush()


async def add_campaign(
    session: AsyncSession, staff: StaffUser, round_: Round, tag: str, label: str
) -> Campaign:
    """A new campaign tag for deep links and QR codes."""
    tag, label = tag.strip(), label.strip()
    if not CAMPAIGN_TAG.match(tag):
        raise ActionRefused(_("Use up to 62 letters, digits, hyphens and underscores."))
    if not label:
        raise ActionRefused(_("Describe where the link or QR code is used."))
    if await session.scalar(select(Campaign.id).where(Campaign.tag == tag)) is not None:
        raise ActionRefused(_("This tag is already in use."))
    campaign = Campaign(round_id=round_.id, tag=tag, label=label[:200])
    session.add(campaign)
    await session.flush()
    await audit(session, staff, "campaign.add", f"campaign:{campaign.id}", tag=tag)
    return campaign


async def add_staff_user(
    session: AsyncSession, staff: StaffUser, email: str, password: str, role: str
) -> StaffUser:
    """An admin adds a colleague's account."""
    if role not in {r.value for r in StaffRole}:
        raise ActionRefused(_("Choose a role."))
    try:
        user = await add_user(session, email, password, role)
    except ValueError as error:
        raise ActionRefused(
            _("The account could not be added: {error}"), error=str(error)
        ) from None
    await audit(session, staff, "staff.add", f"staff:{user.id}", role=role)
    return user


async def unlock_staff_user(session: AsyncSession, staff: StaffUser, user: StaffUser) -> None:
    """Lift a lockout after too many wrong passwords."""
    user.failed_logins = 0
    user.locked_until = None
    await audit(session, staff, "staff.unlock", f"staff:{user.id}")
    await session.flush()
