"""Domain services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from budgeting.models import Ballot, BallotKind, ChannelIdentity, Participant, utcnow
from budgeting.phases import Phase
from budgeting.services import ballots, proposals
from budgeting.services.errors import RuleViolation
from budgeting.services.participants import find_or_create
from budgeting.services.rounds import load_round
from dialogs.engine import DialogEngine
from dialogs.types import Incoming
from tests.builders import build_round
from tests.rounds import TOWN


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("50000", 50000),
        ("50 000", 50000),
        ("50 000 kr", 50000),
        ("1.250.000", 1250000),
        ("1,250,000 SEK", 1250000),
        ("12:-", 12),
        ("fifty", None),
        ("5e4", None),
        ("-5", None),
        ("50 00", None),
        ("", None),
    ],
)
def test_parse_cost(text: str, value: int | None) -> None:
    assert proposals.parse_cost(text) == value


async def test_one_identity_per_channel(sessions) -> None:
    async with sessions() as session, session.begin():
        first, created = await find_or_create(session, "telegram", "42")
        again, created_again = await find_or_create(session, "telegram", "42")
        other, _ = await find_or_create(session, "teams", "42")
    assert created and not created_again and first.id == again.id != other.id
    async with sessions() as session:
        session.add(ChannelIdentity(participant_id=other.id, channel="telegram", external_id="42"))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_ballot_rules(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        round_ = await build_round(session, TOWN, now, Phase.VOTING)
        voter = Participant(display_name="v")
        session.add(voter)
        await session.flush()
        area = round_.areas[0].id
        other_area_project = 6  # Boulebana i Gustavsbo
        for ranking, code in [
            ([], "rank_count"),
            ([1, 2, 3, 4], "rank_count"),
            ([1, 1], "duplicate_rank"),
            ([1, other_area_project], "not_on_ballot"),
            ([5], "not_on_ballot"),  # rejected idea
            ([999], "not_on_ballot"),
        ]:
            with pytest.raises(RuleViolation) as error:
                await ballots.cast_ballot(session, round_, voter, area, ranking, now)
            assert error.value.code == code
        ballot = await ballots.cast_ballot(session, round_, voter, area, [3, 1], now)
        first_code = ballot.receipt_code
        ballot = await ballots.cast_ballot(session, round_, voter, area, [2], now)
        assert ballot.receipt_code != first_code
    async with sessions() as session:
        stored = (await session.scalars(select(Ballot))).one()
        assert [r.proposal_id for r in stored.ranks] == [2]


async def test_one_ballot_per_participant_is_enforced_by_the_database(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        round_ = await build_round(session, TOWN, now, Phase.VOTING)
        voter = Participant(display_name="v")
        session.add(voter)
        await session.flush()
        voter_id, round_id, area_id = voter.id, round_.id, round_.areas[0].id
    async with sessions() as session:
        for code in ("AAAA-AAAA", "BBBB-BBBB"):
            session.add(
                Ballot(
                    round_id=round_id, area_id=area_id, participant_id=voter_id, receipt_code=code
                )
            )
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_ideas_only_while_ideas_are_open(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        round_ = await build_round(session, TOWN, now, Phase.REVIEW)
        author = Participant(display_name="a")
        session.add(author)
        await session.flush()
        idea = proposals.Idea(round_.areas[0].id, "A title", "A long enough description", 100)
        with pytest.raises(RuleViolation) as error:
            await proposals.submit_idea(session, round_, author, idea, now)
        assert error.value.code == "ideas_closed"


async def test_messages_of_one_participant_are_handled_in_order(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        await build_round(session, TOWN, now, Phase.VOTING)
    engine = DialogEngine(sessions)

    def event(**kw) -> Incoming:
        return Incoming(channel="console", user_id="fast", **kw)

    await engine.handle(event(text="/start"))
    await engine.handle(event(payload="welcome:language:en"))
    await engine.handle(event(text="/vote"))
    await engine.handle(event(payload="vote:area:1"))
    results = await asyncio.gather(
        *(engine.handle(event(payload=f"vote:pick:{pid}")) for pid in (3, 1, 4))
    )
    assert "3. #4" in results[-1][-1].text
    await engine.handle(event(payload="vote:confirm"))
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot))).one()
        assert [r.proposal_id for r in ballot.ranks] == [3, 1, 4]
        submitted = await session.scalar(
            select(func.count()).where(Ballot.participant_id.is_not(None))
        )
    assert submitted == 1


async def voting_round_and_voter(session, **fields):
    """TOWN in the voting phase with ``fields`` set, and a participant to vote."""
    round_ = await build_round(session, TOWN, utcnow(), Phase.VOTING)
    for name, value in fields.items():
        setattr(round_, name, value)
    voter = Participant(display_name="v")
    session.add(voter)
    await session.flush()
    return round_, voter


async def test_approval_ballot_rules(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        round_, voter = await voting_round_and_voter(
            session, ballot_kind=BallotKind.APPROVAL, min_ranks=2, max_ranks=3
        )
        area = round_.areas[0].id
        for chosen, points, code in [
            ([1], None, "choice_count"),
            ([1, 2, 3, 4], None, "choice_count"),
            ([1, 1], None, "duplicate_choice"),
            ([1, 6], None, "not_on_ballot"),  # #6 is in Gustavsbo
            ([1, 5], None, "not_on_ballot"),  # rejected
            ([1, 2], [1, 1], "points_not_allowed"),
        ]:
            with pytest.raises(RuleViolation) as error:
                await ballots.cast_ballot(session, round_, voter, area, chosen, now, points)
            assert error.value.code == code, chosen
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0
        await ballots.cast_ballot(session, round_, voter, area, [4, 2], now)
    async with sessions() as session:
        stored = (await session.scalars(select(Ballot))).one()
        assert [(r.proposal_id, r.points) for r in stored.ranks] == [(4, None), (2, None)]


async def test_cumulative_ballot_rules_and_points_stored(sessions) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        round_, voter = await voting_round_and_voter(
            session, ballot_kind=BallotKind.CUMULATIVE, points_total=10, points_per_project=5
        )
        area = round_.areas[0].id
        for chosen, points, code in [
            ([], [], "points_empty"),
            ([1, 2], None, "points_mismatch"),
            ([1, 2], [3], "points_mismatch"),
            ([1, 1], [2, 2], "duplicate_choice"),
            ([1], [6], "points_per_project"),
            ([1], [0], "points_per_project"),
            ([1], [-3], "points_per_project"),
            ([1], [10**30], "points_per_project"),
            ([1, 2, 3], [5, 5, 1], "points_total"),
            ([1, 6], [2, 2], "not_on_ballot"),
            ([1, 999], [2, 2], "not_on_ballot"),
        ]:
            with pytest.raises(RuleViolation) as error:
                await ballots.cast_ballot(session, round_, voter, area, chosen, now, points)
            assert error.value.code == code, (chosen, points)
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0
        first = await ballots.cast_ballot(session, round_, voter, area, [3, 1], now, [5, 4])
        first_code, round_id, voter_id = first.receipt_code, round_.id, voter.id
    async with sessions() as session, session.begin():
        round_ = await load_round(session, round_id)
        voter = await session.get(Participant, voter_id)
        with pytest.raises(RuleViolation):  # a refused replacement keeps the first ballot
            await ballots.cast_ballot(session, round_, voter, area, [2], now, [11])
    async with sessions() as session:
        stored = (await session.scalars(select(Ballot))).one()
        assert stored.receipt_code == first_code
        assert [(r.proposal_id, r.points) for r in stored.ranks] == [(3, 5), (1, 4)]
