"""Reviewing ideas (SKR step 4): edit for clarity, assess, estimate, accept, reject, merge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import (
    NotificationKind,
    Proposal,
    ProposalStatus,
    Review,
    Round,
    StaffUser,
)
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import clean_text
from web_admin.actions import ActionRefused, audit, tell_followers
from web_admin.queries import reviews_of

DECIDABLE = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.UNDER_REVIEW,
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
)
"""Statuses from which staff may still accept, reject or merge a proposal."""
REASON_MAX_LENGTH = 1000


def _require_decidable(round_: Round, proposal: Proposal) -> None:
    if round_.results_published_at is not None:
        raise ActionRefused(_("The results are published; the ballot can no longer change."))
    if proposal.status not in DECIDABLE:
        raise ActionRefused(_("This proposal can no longer be reviewed."))


def _reason(text: str, required: bool) -> str | None:
    reason = clean_text(text)[:REASON_MAX_LENGTH]
    if required and not reason:
        raise ActionRefused(_("Give a reason; the author will read it."))
    return reason or None


async def _tell_author(
    session: AsyncSession, proposal: Proposal, outcome: str, reason: str | None, now: datetime
) -> None:
    if proposal.author_id is None:
        return
    await enqueue(
        session,
        NotificationKind.REVIEW_OUTCOME,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        participant_id=proposal.author_id,
        payload={"params": {"proposal_id": proposal.id, "outcome": outcome, "reason": reason}},
        due_at=now,
    )


async def edit_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    title: str,
    description: str,
    now: datetime,
) -> bool:
    """Reword a proposal for clarity; the author's first wording is kept. True if changed."""
    title, description = clean_text(title), clean_text(description)
    if not title or not description:
        raise ActionRefused(_("Title and description cannot be empty."))
    if len(title) > 200:
        raise ActionRefused(_("The title is too long (at most {limit} characters)."), limit=200)
    if title == proposal.title and description == proposal.description:
        return False
    if proposal.original_title is None:
        proposal.original_title = proposal.title
    if proposal.original_description is None:
        proposal.original_description = proposal.description
    proposal.title, proposal.description = title, description
    proposal.updated_at = now
    await audit(session, staff, "proposal.edit", f"proposal:{proposal.id}")
    await tell_followers(
        session, NotificationKind.FOLLOWED_CHANGED, proposal, {"change": "edited"}, now
    )
    return True


async def assess_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    assessments: dict[int, tuple[bool | None, str]],
    staff_cost: int | None,
    now: datetime,
) -> None:
    """Store met / not met (and a note) per criterion and staff's cost estimate."""
    criteria = {c.id for c in round_.criteria}
    existing = await reviews_of(session, proposal.id)
    for criterion_id, (met, note) in assessments.items():
        if criterion_id not in criteria:
            continue
        note = clean_text(note)[:REASON_MAX_LENGTH] or None
        review = existing.get(criterion_id)
        if met is None:
            if review is not None:
                await session.delete(review)
        elif review is None:
            session.add(
                Review(proposal_id=proposal.id, criterion_id=criterion_id, met=met, note=note)
            )
        else:
            review.met, review.note = met, note
    if staff_cost is not None and staff_cost < 0:
        raise ActionRefused(_("The cost cannot be negative."))
    cost_changed = staff_cost != proposal.staff_cost
    proposal.staff_cost = staff_cost
    if proposal.status == ProposalStatus.SUBMITTED:
        proposal.status = ProposalStatus.UNDER_REVIEW
    proposal.updated_at = now
    await session.flush()
    await audit(
        session,
        staff,
        "proposal.assess",
        f"proposal:{proposal.id}",
        staff_cost=staff_cost,
        criteria={str(k): v[0] for k, v in assessments.items() if k in criteria},
    )
    if cost_changed and proposal.status in (ProposalStatus.ACCEPTED, ProposalStatus.UNDER_REVIEW):
        await tell_followers(
            session, NotificationKind.FOLLOWED_CHANGED, proposal, {"change": "cost"}, now
        )


async def accept_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    reason: str,
    now: datetime,
) -> None:
    """Put the proposal on the ballot and tell its author (and followers)."""
    if proposal.status == ProposalStatus.ACCEPTED:
        raise ActionRefused(_("The proposal is already on the ballot."))
    await _decide(session, staff, round_, proposal, "accepted", _reason(reason, False), now)


async def reject_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    reason: str,
    now: datetime,
) -> None:
    """Keep the proposal off the ballot, with a reason the author receives."""
    if proposal.status == ProposalStatus.REJECTED:
        raise ActionRefused(_("The proposal is already rejected."))
    await _decide(session, staff, round_, proposal, "rejected", _reason(reason, True), now)


async def _decide(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    outcome: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Accept or reject: set the status, audit it, tell the author and the followers."""
    _require_decidable(round_, proposal)
    accepted = outcome == "accepted"
    proposal.status = ProposalStatus.ACCEPTED if accepted else ProposalStatus.REJECTED
    proposal.rejection_reason = None if accepted else reason
    proposal.updated_at = now
    action = "proposal.accept" if accepted else "proposal.reject"
    await audit(session, staff, action, f"proposal:{proposal.id}", reason=reason)
    await _tell_author(session, proposal, outcome, reason, now)
    await tell_followers(
        session, NotificationKind.FOLLOWED_CHANGED, proposal, {"change": outcome}, now
    )


async def merge_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    target: Proposal | None,
    reason: str,
    now: datetime,
) -> None:
    """Merge a duplicate into a similar proposal of the same area."""
    _require_decidable(round_, proposal)
    if (
        target is None
        or target.id == proposal.id
        or target.round_id != proposal.round_id
        or target.area_id != proposal.area_id
        or target.status in (ProposalStatus.MERGED, ProposalStatus.WITHDRAWN)
    ):
        raise ActionRefused(_("Choose another proposal of the same area to merge into."))
    note = _reason(reason, required=False)
    proposal.status = ProposalStatus.MERGED
    proposal.merged_into_id = target.id
    proposal.rejection_reason = note
    proposal.updated_at = now
    await audit(
        session, staff, "proposal.merge", f"proposal:{proposal.id}", into=target.id, reason=note
    )
    await _tell_author(session, proposal, "merged", note, now)
    await tell_followers(
        session,
        NotificationKind.FOLLOWED_CHANGED,
        proposal,
        {"change": "merged", "merged_into": target.id},
        now,
    )
