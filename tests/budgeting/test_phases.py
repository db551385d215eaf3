"""The current phase comes from the clock and the round's dates, or a staff override."""

from __future__ import annotations

from datetime import timedelta

import pytest

from budgeting.models import Round, utcnow
from budgeting.phases import PHASE_LENGTH, SCHEDULED, Phase, closes_at, current_phase, schedule


def make_round() -> Round:
    round_ = Round(slug="r", budget=100)
    schedule(round_, Phase.IDEAS, utcnow())
    return round_


@pytest.mark.parametrize("phase", SCHEDULED)
def test_schedule_puts_now_in_phase(phase: Phase) -> None:
    round_ = make_round()
    now = utcnow()
    schedule(round_, phase, now)
    assert current_phase(round_, now) is phase
    assert current_phase(round_, closes_at(round_, phase)) is not phase


def test_before_and_after_the_round() -> None:
    round_ = make_round()
    assert current_phase(round_, round_.ideas_opens_at - timedelta(seconds=1)) is Phase.UPCOMING
    assert current_phase(round_, round_.closes_at) is Phase.CLOSED
    assert round_.closes_at - round_.ideas_opens_at == PHASE_LENGTH * len(SCHEDULED)


def test_staff_override_wins_over_dates() -> None:
    round_ = make_round()
    round_.phase_override = Phase.VOTING.value
    assert current_phase(round_, utcnow()) is Phase.VOTING
