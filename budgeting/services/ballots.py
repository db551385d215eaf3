"""Casting and replacing ballots (ranked, approval, cumulative), with receipt codes (SKR step 5)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from budgeting.models import (
    Ballot,
    BallotChannel,
    BallotRank,
    ChannelIdentity,
    Participant,
    Proposal,
    Round,
    SplitKind,
    VotingCode,
    VotingCodeBatch,
)
from budgeting.phases import Phase, current_phase
from budgeting.services import rules
from budgeting.services.errors import RuleViolation
from budgeting.services.groups import declared_group
from budgeting.services.proposals import visible_proposals

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


RECEIPT_LENGTH = 12
"""60 bits: even a million ballots make a repeated code vanishingly unlikely (~4e-7)."""


def new_receipt_code() -> str:
    """A hard-to-guess code like ``K7QM-4XP9-HT3A`` that lets a voter find their ballot."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


async def unused_receipt_code(session: AsyncSession) -> str:
    """A new receipt code that no stored ballot has."""
    while True:
        code = new_receipt_code()
        if await session.scalar(RECEIPT_TAKEN, {"code": code}) is None:
            return code


RECEIPT_TAKEN = select(Ballot.id).where(Ballot.receipt_code == bindparam("code"))


def require_voting_phase(round_: Round, now: datetime) -> None:
    """RuleViolation unless voting is open right now."""
    if current_phase(round_, now) is not Phase.VOTING:
        raise RuleViolation("voting_closed")


async def ballot_of(
    session: AsyncSession, round_: Round, participant: Participant, area_id: int | None = None
) -> Ballot | None:
    """The participant's ballot in this round, if any; where a person votes in each
    theme, their ballot in the theme ``area_id`` (see :func:`ballots_of` for all)."""
    params = {
        "round_id": round_.id,
        "participant_id": participant.id,
        "slot": rules.ballot_slot(round_, area_id),
    }
    return (await session.scalars(BALLOT_OF, params)).unique().first()


async def ballots_of(
    session: AsyncSession, round_: Round, participant: Participant
) -> list[Ballot]:
    """Every ballot of the participant in this round (one, or one per theme), by area order."""
    params = {"round_id": round_.id, "participant_id": participant.id}
    found = list((await session.scalars(BALLOTS_OF, params)).unique().all())
    order = {area.id: n for n, area in enumerate(round_.areas)}
    return sorted(found, key=lambda b: order.get(b.area_id, len(order)))


BALLOTS_OF = (
    select(Ballot)
    .where(
        Ballot.round_id == bindparam("round_id"),
        Ballot.participant_id == bindparam("participant_id"),
    )
    .options(joinedload(Ballot.ranks))
)
BALLOT_OF = BALLOTS_OF.where(Ballot.slot == bindparam("slot"))
"""Built once: voting turns ask for it again and again (with its ranks: one statement)."""


async def check_ranking(
    session: AsyncSession,
    round_: Round,
    area_id: int,
    proposal_ids: Sequence[int],
    points: Sequence[int] | None = None,
) -> list[Proposal]:
    """The proposals of the ballot if it obeys the round's ballot rules, else RuleViolation."""
    rules.check_ballot(round_, area_id, proposal_ids, points)
    on_ballot = {p.id: p for p in await visible_proposals(session, round_, area_id, True)}
    rules.check_on_ballot(proposal_ids, on_ballot)
    return [on_ballot[pid] for pid in proposal_ids]


def needs_voting_code(round_: Round, area_id: int) -> bool:
    """Whether a ballot in this area, theme or group needs a voting code (the round's, or
    in a round split by groups the group's)."""
    if round_.requires_voting_code:
        return True
    area = next((a for a in round_.areas if a.id == area_id), None)
    return round_.split_kind == SplitKind.GROUP and area is not None and area.requires_voting_code


async def _voting_code_id(
    session: AsyncSession, round_: Round, participant: Participant, area_id: int
) -> int | None:
    """The id of the participant's redeemed, not revoked code, required when the round
    uses codes (a ballot already cast with a code revoked later stays, but cannot change);
    a code issued for one area votes there only. In a round split by groups a group may
    need a code of its own (``needs_voting_code``)."""
    if not needs_voting_code(round_, area_id):
        return None
    codes = (
        await session.execute(
            select(VotingCode.id, VotingCode.revoked_at, VotingCodeBatch.area_id)
            .outerjoin(VotingCodeBatch, VotingCode.batch_id == VotingCodeBatch.id)
            .where(VotingCode.round_id == round_.id, VotingCode.participant_id == participant.id)
        )
    ).all()
    valid = [(code_id, code_area) for code_id, revoked_at, code_area in codes if not revoked_at]
    if not valid:
        raise RuleViolation("voting_code_revoked" if codes else "voting_code_required")
    code_id, code_area = valid[0]
    rules.check_code_area(code_area, area_id)
    return code_id


async def channel_of(session: AsyncSession, participant: Participant) -> str:
    """The channel a participant is known by (the first identity), for a ballot cast
    without naming its channel."""
    found = await session.scalar(
        select(ChannelIdentity.channel)
        .where(ChannelIdentity.participant_id == participant.id)
        .order_by(ChannelIdentity.id)
        .limit(1)
    )
    return found or BallotChannel.CONSOLE.value


async def cast_ballot(
    session: AsyncSession,
    round_: Round,
    participant: Participant,
    area_id: int,
    proposal_ids: Sequence[int],
    now: datetime,
    points: Sequence[int] | None = None,
    channel: str | None = None,
) -> Ballot:
    """Record the participant's ballot, replacing any earlier one (where a person votes in
    each theme: their earlier one in this theme only); new receipt code.

    ``proposal_ids`` are ranked (best first) or chosen; on a cumulative ballot ``points``
    gives each of them its points, in the same order. ``channel`` is the chat channel
    the ballot came through (default: the participant's first identity's).
    """
    require_voting_phase(round_, now)
    await check_ranking(session, round_, area_id, proposal_ids, points)
    if round_.split_kind == SplitKind.GROUP:
        rules.check_group(round_, area_id, await declared_group(session, round_, participant))
    code_id = await _voting_code_id(session, round_, participant, area_id)
    receipt = await unused_receipt_code(session)
    ballot = await ballot_of(session, round_, participant, area_id)
    if ballot is None:
        ballot = Ballot(
            round_id=round_.id,
            participant_id=participant.id,
            area_id=area_id,
            slot=rules.ballot_slot(round_, area_id),
            receipt_code=receipt,
            cast_at=now,
            ranks=[],
        )
        session.add(ballot)
    else:  # the old ranks go in one statement, so the new ones can take their places
        await session.execute(DELETE_RANKS, {"ballot_id": ballot.id})
        for rank in ballot.ranks:
            session.expunge(rank)
        set_committed_value(ballot, "ranks", [])
    ballot.area_id = area_id
    ballot.channel = channel or await channel_of(session, participant)
    ballot.voting_code_id = code_id
    ballot.updated_at = now
    ballot.receipt_code = receipt
    given = list(points) if points is not None else [None] * len(proposal_ids)
    ballot.ranks.extend(
        BallotRank(position=i, proposal_id=pid, points=p)
        for i, (pid, p) in enumerate(zip(proposal_ids, given, strict=True))
    )
    await session.flush()
    return ballot


DELETE_RANKS = (
    delete(BallotRank)
    .where(BallotRank.ballot_id == bindparam("ballot_id"))
    .execution_options(synchronize_session=False)
)
"""A replaced ballot's old ranks, in one statement (the ORM would delete them one by one)."""
