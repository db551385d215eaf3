"""The phases of a round and which one is current (from the clock, or a staff override)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from budgeting.models import Round


class Phase(StrEnum):
    """The SKR steps a resident can take part in, in order."""

    UPCOMING = "upcoming"
    IDEAS = "ideas"
    REVIEW = "review"
    VOTING = "voting"
    DECISION = "decision"
    IMPLEMENTATION = "implementation"
    FOLLOWUP = "followup"
    CLOSED = "closed"


SCHEDULED = (
    Phase.IDEAS,
    Phase.REVIEW,
    Phase.VOTING,
    Phase.DECISION,
    Phase.IMPLEMENTATION,
    Phase.FOLLOWUP,
)
"""Phases that have an opening date on the round, in order."""


def opens_at(round_: Round, phase: Phase) -> datetime:
    """When ``phase`` opens in ``round_`` (CLOSED: when the round ends)."""
    if phase is Phase.CLOSED:
        return round_.closes_at
    return getattr(round_, f"{phase.value}_opens_at")


def closes_at(round_: Round, phase: Phase) -> datetime:
    """When ``phase`` ends: the opening of the next one."""
    order = (*SCHEDULED, Phase.CLOSED)
    return opens_at(round_, order[order.index(phase) + 1])


def current_phase(round_: Round, now: datetime) -> Phase:
    """The phase the round is in at ``now``; a staff override wins over the dates."""
    if round_.phase_override:
        return Phase(round_.phase_override)
    return phase_by_dates(round_, now)


def phase_by_dates(round_: Round, now: datetime) -> Phase:
    """The phase the round's dates say it is in at ``now`` (whatever staff override)."""
    if now >= round_.closes_at:
        return Phase.CLOSED
    current = Phase.UPCOMING
    for phase in SCHEDULED:
        if now >= opens_at(round_, phase):
            current = phase
    return current


PHASE_LENGTH = timedelta(days=14)
"""How long each phase lasts when a round is scheduled around a moment (demo, trials)."""


def schedule(round_: Round, phase: Phase, now: datetime, length: timedelta = PHASE_LENGTH) -> None:
    """Move the round's dates so that ``now`` falls one day into ``phase``."""
    index = SCHEDULED.index(phase) if phase in SCHEDULED else len(SCHEDULED)
    first = now - timedelta(days=1) - length * index
    for i, scheduled in enumerate(SCHEDULED):
        setattr(round_, f"{scheduled.value}_opens_at", first + length * i)
    round_.closes_at = first + length * len(SCHEDULED)
    round_.phase_override = None
