"""Counting and publishing the result (SKR step 5) and the council's decision (step 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import (
    CouncilDecision,
    NotificationKind,
    Proposal,
    ProposalStatus,
    Round,
    StaffUser,
    TallyRun,
)
from budgeting.phases import Phase, current_phase
from budgeting.services import tally
from budgeting.services.proposals import clean_text
from web_admin.actions import ActionRefused, audit, tell_followers

RULES = ("greedy", "mes")
COUNTABLE = (Phase.DECISION, Phase.IMPLEMENTATION, Phase.FOLLOWUP, Phase.CLOSED)
"""Ballots are counted once voting has closed, never while it is open."""


def can_count(round_: Round, now: datetime) -> bool:
    """True if voting has closed and the results are not yet published."""
    return round_.results_published_at is None and current_phase(round_, now) in COUNTABLE


async def count_ballots(
    session: AsyncSession, staff: StaffUser, round_: Round, rule: str, now: datetime
) -> list[TallyRun]:
    """Count every area with ``rule`` and record the (unpublished) runs."""
    if rule not in RULES:
        raise ActionRefused(_("Unknown counting rule."))
    if round_.results_published_at is not None:
        raise ActionRefused(_("The results are already published."))
    if current_phase(round_, now) not in COUNTABLE:
        raise ActionRefused(_("Ballots can be counted when voting has closed."))
    runs = await tally.count_round(session, round_, rule, now=now)
    await audit(
        session,
        staff,
        "tally.count",
        f"round:{round_.id}",
        rule=rule,
        runs=[run.id for run in runs],
        seed=runs[0].seed if runs else None,
    )
    return runs


async def publish(session: AsyncSession, staff: StaffUser, round_: Round, now: datetime) -> None:
    """Publish the newest count of each area; participants are told (RESULTS)."""
    if round_.results_published_at is not None:
        raise ActionRefused(_("The results are already published."))
    try:
        runs = await tally.publish_results(session, round_, now)
    except ValueError:
        raise ActionRefused(_("Count the ballots before publishing.")) from None
    await audit(
        session,
        staff,
        "tally.publish",
        f"round:{round_.id}",
        runs=[run.id for run in runs or []],
    )


async def record_decision(
    session: AsyncSession,
    staff: StaffUser,
    proposal: Proposal,
    decision: str,
    note: str,
    now: datetime,
) -> None:
    """Record the council's decision on a selected project; followers are told."""
    if proposal.status != ProposalStatus.SELECTED:
        raise ActionRefused(_("Only selected projects get a council decision."))
    if decision not in {d.value for d in CouncilDecision}:
        raise ActionRefused(_("Choose the council's decision."))
    proposal.council_decision = decision
    proposal.decision_note = clean_text(note)[:2000] or None
    proposal.updated_at = now
    await audit(session, staff, "proposal.decision", f"proposal:{proposal.id}", decision=decision)
    await tell_followers(
        session,
        NotificationKind.DECISION,
        proposal,
        {"decision": decision, "note": proposal.decision_note},
        now,
    )
