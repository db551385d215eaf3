"""One-time voting codes: eligibility and one person, one vote across channels."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Participant, Round, VotingCode, VotingCodeBatch
from budgeting.services import rules
from budgeting.services.ballots import new_receipt_code
from budgeting.services.errors import RuleViolation


def normalize_code(text: str) -> str:
    """Upper-case the code and drop spaces and dashes, as people type them."""
    return re.sub(r"[\s\-]", "", text).upper()


def hash_code(round_id: int, code: str) -> str:
    """The stored form of a code (the code itself is never stored)."""
    return hashlib.sha256(f"{round_id}:{normalize_code(code)}".encode()).hexdigest()


def new_code() -> str:
    """A code like ``K7QM-4XP9-HT3A`` (60 bits of randomness, no look-alike characters)."""
    return new_receipt_code()


async def generate_codes(session: AsyncSession, round_: Round, count: int) -> list[str]:
    """Create ``count`` new codes for the round; the plain codes are returned only here."""
    codes = [new_code() for _ in range(count)]
    session.add_all(
        VotingCode(round_id=round_.id, code_hash=hash_code(round_.id, c)) for c in codes
    )
    await session.flush()
    return codes


async def code_of(
    session: AsyncSession, round_: Round, participant: Participant
) -> VotingCode | None:
    """The code the participant redeemed in this round, if any: a valid one before a
    revoked one (someone whose letter was replaced redeems the new code)."""
    stmt = (
        select(VotingCode)
        .where(VotingCode.round_id == round_.id, VotingCode.participant_id == participant.id)
        .order_by(VotingCode.revoked_at.is_not(None), VotingCode.id)
    )
    return (await session.scalars(stmt)).first()


async def area_of_code(session: AsyncSession, code: VotingCode) -> int | None:
    """The area a code was issued for (None: any area of the round)."""
    if code.batch_id is None:
        return None
    return await session.scalar(
        select(VotingCodeBatch.area_id).where(VotingCodeBatch.id == code.batch_id)
    )


async def round_of_code(session: AsyncSession, round_ids: Iterable[int], text: str) -> int | None:
    """Which of the rounds issued this code (a letter's link names no round)."""
    hashes = {hash_code(round_id, text): round_id for round_id in round_ids}
    if not hashes:
        return None
    found = await session.scalar(
        select(VotingCode.code_hash).where(VotingCode.code_hash.in_(hashes)).limit(1)
    )
    return hashes.get(found) if found is not None else None


async def redeem(
    session: AsyncSession,
    round_: Round,
    participant: Participant,
    text: str,
    now: datetime,
    area_id: int | None = None,
) -> VotingCode:
    """Attach an unused code to the participant, or RuleViolation; asked for in one
    group's vote (``area_id``), a code issued for another group is refused and stays unused."""
    existing = await code_of(session, round_, participant)
    if existing is not None and existing.revoked_at is None:
        return existing
    stmt = (
        select(VotingCode)
        .where(VotingCode.round_id == round_.id, VotingCode.code_hash == hash_code(round_.id, text))
        .with_for_update()
    )
    code = (await session.scalars(stmt)).first()
    if code is None:
        raise RuleViolation("voting_code_unknown")
    if code.revoked_at is not None:
        raise RuleViolation("voting_code_revoked")
    if code.redeemed_at is not None:
        raise RuleViolation("voting_code_used")
    if area_id is not None:
        rules.check_code_area(await area_of_code(session, code), area_id)
    code.participant_id = participant.id
    code.redeemed_at = now
    await session.flush()
    return code
