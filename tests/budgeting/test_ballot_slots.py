"""The database keeps one ballot per person and slot, and per voting code and slot: one
ballot in a round, or one per theme where a person votes in each theme (issue 18)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from budgeting.models import Ballot, Participant, Round, VotingCode, utcnow
from budgeting.phases import Phase, schedule
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from tests.builders import rounds_in_phase
from tests.rounds import TOWN


async def test_one_ballot_per_person_and_slot(sessions) -> None:
    async with sessions() as session, session.begin():
        (town,) = await rounds_in_phase(session, utcnow(), Phase.VOTING, TOWN)
        person = Participant(round_id=town.id)
        code = VotingCode(round_id=town.id, code_hash="x" * 64)
        session.add_all([person, code])
        await session.flush()
        ids = town.id, person.id, code.id, [a.id for a in town.areas]
    round_id, person_id, code_id, (first, second, _third) = ids

    def ballot(area_id: int, slot: int, receipt: str, code: int | None = None) -> Ballot:
        return Ballot(
            round_id=round_id,
            area_id=area_id,
            participant_id=person_id,
            voting_code_id=code,
            slot=slot,
            receipt_code=receipt,
        )

    async def refused(*ballots: Ballot) -> None:
        async with sessions() as session:
            session.add_all(ballots)
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()

    async with sessions() as session, session.begin():  # one per theme, one code: two slots
        session.add_all(
            [
                ballot(first, first, "SLOT-0000-0001", code_id),
                ballot(second, second, "SLOT-0000-0002", code_id),
                ballot(first, 0, "SLOT-0000-0003"),  # (the round's one ballot, for the test)
            ]
        )
    await refused(ballot(first, first, "SLOT-0000-0004"))  # a second ballot in the theme
    await refused(ballot(second, 0, "SLOT-0000-0005"))  # a second ballot in the round
    other = Participant(round_id=round_id)
    async with sessions() as session, session.begin():
        session.add(other)
    twice = ballot(second, second, "SLOT-0000-0006", code_id)
    twice.participant_id = other.id
    await refused(twice)  # the code already backs a ballot in this theme


def test_the_slot_of_a_ballot() -> None:
    each = Round(split_kind="theme", one_ballot_per_part=True)
    assert rules.ballot_slot(each, 7) == 7 and rules.ballot_slot(each, None) == 0
    for one in (
        Round(split_kind="theme", one_ballot_per_part=False),
        Round(split_kind="area", one_ballot_per_part=True),  # "each" means themes only
        Round(split_kind="group", one_ballot_per_part=False),
    ):
        assert rules.ballot_slot(one, 7) == 0


def test_the_split_stays_once_voting_has_opened() -> None:
    now = utcnow()
    round_ = Round(split_kind="theme", one_ballot_per_part=True, areas=[])
    schedule(round_, Phase.IDEAS, now)
    rules.check_settings_change(round_, {"split_kind": "group"}, now, ballots_cast=0)
    for change in ({"split_kind": "area"}, {"one_ballot_per_part": False}):
        with pytest.raises(RuleViolation) as refused:  # a ballot cast (a paper one, say)
            rules.check_settings_change(round_, change, now, ballots_cast=1)
        assert refused.value.code == "settings_locked"
    schedule(round_, Phase.VOTING, now)
    with pytest.raises(RuleViolation):
        rules.check_settings_change(round_, {"split_kind": "area"}, now, ballots_cast=0)
    rules.check_settings_change(round_, {"split_kind": "theme"}, now, ballots_cast=0)
