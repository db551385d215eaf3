"""One-time voting codes: eligibility and one person, one vote across channels."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Participant, Round, VotingCode
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


async def generate_codes(
    session: AsyncSession, round_: Round, count: int, area_id: int | None = None
) -> list[str]:
    """Create ``count`` new codes for the round (for one group of it, if ``area_id``);
    the plain codes are returned only here."""
    if area_id is not None:
        rules.check_area(round_, area_id)
    codes = [new_code() for _ in range(count)]
    session.add_all(
        VotingCode(round_id=round_.id, area_id=area_id, code_hash=hash_code(round_.id, c))
        for c in codes
    )
    await session.flush()
    return codes


async def code_of(
    session: AsyncSession, round_: Round, participant: Participant
) -> VotingCode | None:
    """The code the participant redeemed in this round, if any."""
    stmt = select(VotingCode).where(
        VotingCode.round_id == round_.id, VotingCode.participant_id == participant.id
    )
    return (await session.scalars(stmt)).first()


async def redeem(
    session: AsyncSession,
    round_: Round,
    participant: Participant,
    text: str,
    now: datetime,
    area_id: int | None = None,
) -> VotingCode:
    """Attach an unused code to the participant, or RuleViolation; in a group's vote
    (``area_id``) a code issued for another group is refused and stays unused."""
    existing = await code_of(session, round_, participant)
    if existing is not None:
        return existing
    stmt = (
        select(VotingCode)
        .where(VotingCode.round_id == round_.id, VotingCode.code_hash == hash_code(round_.id, text))
        .with_for_update()
    )
    code = (await session.scalars(stmt)).first()
    if code is None:
        raise RuleViolation("voting_code_unknown")
    if code.redeemed_at is not None:
        raise RuleViolation("voting_code_used")
    if area_id is not None:
        rules.check_code_group(code.area_id, area_id)
    code.participant_id = participant.id
    code.redeemed_at = now
    await session.flush()
    return code
