"""Reviewing ideas (SKR step 4): edit for clarity, assess, estimate, accept, reject, merge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    NotificationKind,
    Proposal,
    ProposalStatus,
    Review,
    Round,
    StaffUser,
)
from budgeting.models.base import with_translations
from budgeting.services import rules
from budgeting.services.notifications import enqueue
from budgeting.services.proposals import clean_text
from budgeting.services.staff.audit import audit
from budgeting.services.staff.followers import tell_followers
from budgeting.services.staff.translations import per_language

REASON_MAX_LENGTH = 1000


async def reviews_of(session: AsyncSession, proposal_id: int) -> dict[int, Review]:
    """The proposal's assessments by criterion id."""
    rows = await session.scalars(select(Review).where(Review.proposal_id == proposal_id))
    return {r.criterion_id: r for r in rows.all()}


def clean_reason(text: str, required: bool) -> str | None:
    """The cleaned, shortened reason (None if empty), or RuleViolation if one is required."""
    reason = clean_text(text)[:REASON_MAX_LENGTH]
    rules.check_reason(reason, required)
    return reason or None


async def _tell_author(
    session: AsyncSession,
    proposal: Proposal,
    outcome: str,
    reasons: dict[str, str],
    now: datetime,
) -> None:
    if proposal.author_id is None:
        return
    params: dict[str, object] = {
        "proposal_id": proposal.id,
        "outcome": outcome,
        "reason": reasons.get("sv"),
    }
    if len(reasons) > 1:  # translated: each reader gets theirs
        params["reasons"] = reasons
    await enqueue(
        session,
        NotificationKind.REVIEW_OUTCOME,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        participant_id=proposal.author_id,
        payload={"params": params},
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
    rules.check_proposal_text(title, description)
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
    rules.check_staff_cost(staff_cost)
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
    translations: dict[str, str] | None = None,
    *,
    override: bool = False,
    override_reason: str = "",
) -> None:
    """Put the proposal on the ballot and tell its author (and followers); ``translations``
    are the note in other languages than Swedish. Every criterion must be assessed, unless
    staff ``override`` that with a reason, which the audit log keeps."""
    rules.check_accept(round_, proposal)
    assessed = await reviews_of(session, proposal.id)
    unassessed = sorted(c.id for c in round_.criteria if c.id not in assessed)
    override_reason = clean_text(override_reason)[:REASON_MAX_LENGTH]
    rules.check_assessed(unassessed, override, override_reason)
    note = clean_reason(reason, required=False)
    notes = per_language(note, translations, REASON_MAX_LENGTH)
    overridden = {"override": override_reason, "unassessed": unassessed} if unassessed else {}
    await _decide(session, staff, proposal, "accepted", notes, now, **overridden)


async def reject_proposal(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    proposal: Proposal,
    reason: str,
    now: datetime,
    translations: dict[str, str] | None = None,
) -> None:
    """Keep the proposal off the ballot, with a reason the author receives (Swedish, and
    ``translations`` in other languages)."""
    note = clean_reason(reason, required=False)
    rules.check_reject(round_, proposal, note or "")
    notes = per_language(note, translations, REASON_MAX_LENGTH)
    await _decide(session, staff, proposal, "rejected", notes, now)


async def _decide(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    outcome: str,
    reasons: dict[str, str],
    now: datetime,
    **audited: object,
) -> None:
    """Accept or reject: set the status, audit it (with ``audited`` details), tell the author
    and the followers."""
    accepted = outcome == "accepted"
    reason = reasons.get("sv")
    proposal.status = ProposalStatus.ACCEPTED if accepted else ProposalStatus.REJECTED
    proposal.rejection_reason = None if accepted else reason
    proposal.texts = with_translations(proposal.texts, "reason", {} if accepted else reasons)
    proposal.updated_at = now
    action = "proposal.accept" if accepted else "proposal.reject"
    await audit(session, staff, action, f"proposal:{proposal.id}", reason=reason, **audited)
    await _tell_author(session, proposal, outcome, reasons, now)
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
    translations: dict[str, str] | None = None,
) -> None:
    """Merge a duplicate into a similar proposal of the same area."""
    rules.check_merge(round_, proposal, target)
    assert target is not None
    note = clean_reason(reason, required=False)
    notes = per_language(note, translations, REASON_MAX_LENGTH)
    proposal.status = ProposalStatus.MERGED
    proposal.merged_into_id = target.id
    proposal.rejection_reason = note
    proposal.texts = with_translations(proposal.texts, "reason", notes)
    proposal.updated_at = now
    await audit(
        session, staff, "proposal.merge", f"proposal:{proposal.id}", into=target.id, reason=note
    )
    await _tell_author(session, proposal, "merged", notes, now)
    await tell_followers(
        session,
        NotificationKind.FOLLOWED_CHANGED,
        proposal,
        {"change": "merged", "merged_into": target.id},
        now,
    )
