"""Counting and publishing the result (SKR step 5) and the council's decision (step 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import NotificationKind, Proposal, Round, StaffUser, TallyRun
from budgeting.models.base import with_translations
from budgeting.services import rules, tally
from budgeting.services.proposals import clean_text
from budgeting.services.staff.audit import audit
from budgeting.services.staff.followers import tell_followers
from budgeting.services.staff.translations import per_language


async def count_ballots(
    session: AsyncSession, staff: StaffUser, round_: Round, rule: str, now: datetime
) -> list[TallyRun]:
    """Count every area with ``rule`` and record the (unpublished) runs.

    The lot is drawn at the first count and reused by every later one; see
    :func:`redraw_lot` for drawing it again.
    """
    rules.check_count(round_, rule, now)
    drawn = round_.tie_break == "lot" and round_.lot_seed is None
    runs = await tally.count_round(session, round_, rule, now=now)
    await audit(
        session,
        staff,
        "tally.count",
        f"round:{round_.id}",
        rule=rule,
        runs=[run.id for run in runs],
        seed=runs[0].seed if runs else None,
        lot="drawn" if drawn else "kept" if round_.tie_break == "lot" else "listed",
    )
    return runs


async def redraw_lot(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    rule: str,
    reason: str,
    now: datetime,
) -> list[TallyRun]:
    """Draw the lot anew and count again with it; only before publication, with a reason
    that is kept in the audit log with the old and the new seed."""
    reason = clean_text(reason)[:500]
    rules.check_count(round_, rule, now)
    rules.check_redraw(round_, reason)
    previous = round_.lot_seed
    runs = await tally.count_round(session, round_, rule, now=now, redraw=True)
    await audit(
        session,
        staff,
        "tally.redraw",
        f"round:{round_.id}",
        rule=rule,
        reason=reason,
        previous_seed=previous,
        seed=round_.lot_seed,
        runs=[run.id for run in runs],
    )
    return runs


async def publish(session: AsyncSession, staff: StaffUser, round_: Round, now: datetime) -> None:
    """Publish the newest count of each area; participants are told (RESULTS)."""
    rules.check_unpublished(round_)
    try:
        runs = await tally.publish_results(session, round_, now)
    except ValueError:
        raise rules.refusal("nothing_counted") from None
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
    translations: dict[str, str] | None = None,
) -> None:
    """Record the council's decision on a selected project; followers are told. ``note``
    is the Swedish note, ``translations`` the note in other languages."""
    rules.check_council_decision(proposal, decision)
    proposal.decision_note = clean_text(note)[:2000] or None
    notes = per_language(proposal.decision_note, translations, 2000)
    proposal.council_decision = decision
    proposal.texts = with_translations(proposal.texts, "decision_note", notes)
    proposal.updated_at = now
    await audit(session, staff, "proposal.decision", f"proposal:{proposal.id}", decision=decision)
    await tell_followers(
        session,
        NotificationKind.DECISION,
        proposal,
        {"decision": decision, "note": proposal.decision_note}
        | ({"notes": notes} if len(notes) > 1 else {}),
        now,
    )
