"""Voting codes in the admin: issue batches for a round or an area, count, print, revoke.

Only hashes are stored. A batch's codes are derived again from the server's secret key,
the batch and the letter number whenever its letters are printed, so the database alone
holds no usable code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Ballot, Round, StaffUser, VotingCode, VotingCodeBatch
from budgeting.services import rules
from budgeting.services.ballots import RECEIPT_ALPHABET, RECEIPT_LENGTH
from budgeting.services.staff.audit import audit
from budgeting.services.voting_codes import hash_code, normalize_code

BATCH_LIMIT = 50_000
"""The most codes one batch issues (letters are printed in parts, see ``LETTERS_PER_FILE``)."""
LETTERS_PER_FILE = 500
FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class CodeCounts:
    """How many codes were issued, redeemed (used) and revoked."""

    issued: int = 0
    used: int = 0
    revoked: int = 0
    used_and_revoked: int = 0

    @property
    def valid_unused(self) -> int:
        """Codes that can still be redeemed."""
        return self.issued - self.used - self.revoked + self.used_and_revoked


def derived_code(key: bytes, round_id: int, batch_id: int, serial: int) -> str:
    """The code of letter ``serial`` of a batch, like ``K7QM-4XP9-HT3A`` (60 bits)."""
    digest = hmac.new(key, f"voting-code:{round_id}:{batch_id}:{serial}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest(), "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[index])
    text = "".join(chars)
    return "-".join(text[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def code_key(secret_key: str) -> bytes:
    """The key codes are derived with (not the secret key itself)."""
    return hmac.new(secret_key.encode(), b"budgetbot voting codes", hashlib.sha256).digest()


async def issue_batch(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    area_id: int | None,
    size: int | None,
    form_token: str,
    key: bytes,
) -> tuple[VotingCodeBatch, bool]:
    """Issue ``size`` codes for the round (or one of its areas); a second submit of the
    same form (``form_token``) returns the batch it issued, with False."""
    if not FORM_TOKEN.fullmatch(form_token or ""):
        raise rules.refusal("code_form_stale")
    earlier = await session.scalar(
        select(VotingCodeBatch).where(VotingCodeBatch.form_token == form_token)
    )
    if earlier is not None:
        return earlier, False
    if size is None or not 1 <= size <= BATCH_LIMIT:
        raise rules.refusal("code_count", limit=BATCH_LIMIT)
    if area_id is not None and area_id not in {a.id for a in round_.areas}:
        raise rules.refusal("code_area")
    batch = VotingCodeBatch(
        round_id=round_.id, area_id=area_id, size=size, form_token=form_token, issued_by=staff.id
    )
    session.add(batch)
    try:
        await session.flush()
    except IntegrityError:  # the same form, submitted twice at once: the other one issued
        raise rules.refusal("code_form_used") from None
    rows = [
        {
            "round_id": round_.id,
            "batch_id": batch.id,
            "serial": serial,
            "code_hash": hash_code(round_.id, derived_code(key, round_.id, batch.id, serial)),
            "created_at": batch.created_at,
        }
        for serial in range(1, size + 1)
    ]
    await session.execute(insert(VotingCode), rows)
    await audit(
        session,
        staff,
        "voting_codes.issue",
        f"voting_code_batch:{batch.id}",
        round=round_.id,
        area=area_id,
        count=size,
    )
    return batch, True


async def batch_codes(
    session: AsyncSession, batch: VotingCodeBatch, key: bytes, first: int = 1, last: int = 0
) -> list[tuple[int, str]]:
    """``(letter number, code)`` of letters ``first``..``last`` (0: to the end) of the batch;
    refused if the codes can no longer be derived (the secret key changed)."""
    last = min(last or batch.size, batch.size)
    stored = await session.scalar(
        select(VotingCode.code_hash).where(
            VotingCode.batch_id == batch.id, VotingCode.serial == max(first, 1)
        )
    )
    codes = [(n, derived_code(key, batch.round_id, batch.id, n)) for n in range(first, last + 1)]
    if codes and stored != hash_code(batch.round_id, codes[0][1]):
        raise rules.refusal("code_key_changed")
    return codes


def _counts_query(*group_by):  # type: ignore[no-untyped-def]
    used = VotingCode.redeemed_at.is_not(None)
    revoked = VotingCode.revoked_at.is_not(None)
    return select(
        *group_by,
        func.count(),
        func.count(case((used, 1))),
        func.count(case((revoked, 1))),
        func.count(case((used & revoked, 1))),
    ).group_by(*group_by)


async def counts_per_batch(session: AsyncSession, round_: Round) -> dict[int | None, CodeCounts]:
    """Counts per batch id (None: codes made with ``budgetbot voting-codes``)."""
    stmt = _counts_query(VotingCode.batch_id).where(VotingCode.round_id == round_.id)
    return {
        row[0]: CodeCounts(row[1], row[2], row[3], row[4]) for row in await session.execute(stmt)
    }


async def counts_per_area(session: AsyncSession, round_: Round) -> dict[int | None, CodeCounts]:
    """Counts per area id of the batch (None: codes for the whole round)."""
    stmt = (
        _counts_query(VotingCodeBatch.area_id)
        .select_from(VotingCode)
        .outerjoin(VotingCodeBatch, VotingCode.batch_id == VotingCodeBatch.id)
        .where(VotingCode.round_id == round_.id)
    )
    return {
        row[0]: CodeCounts(row[1], row[2], row[3], row[4]) for row in await session.execute(stmt)
    }


async def batches_of(session: AsyncSession, round_: Round) -> list[VotingCodeBatch]:
    """The round's batches, newest first."""
    stmt = (
        select(VotingCodeBatch)
        .where(VotingCodeBatch.round_id == round_.id)
        .order_by(VotingCodeBatch.id.desc())
    )
    return list((await session.scalars(stmt)).all())


async def find_code(session: AsyncSession, round_: Round, text: str) -> VotingCode | None:
    """The round's code typed by a staff member, if there is one."""
    if not 8 <= len(normalize_code(text)) <= 32:
        return None
    return await session.scalar(
        select(VotingCode).where(
            VotingCode.round_id == round_.id, VotingCode.code_hash == hash_code(round_.id, text)
        )
    )


async def ballot_cast_with(session: AsyncSession, code: VotingCode) -> bool:
    """Whether a ballot was cast with this code."""
    found = await session.scalar(select(Ballot.id).where(Ballot.voting_code_id == code.id))
    return found is not None


async def revoke_code(
    session: AsyncSession, staff: StaffUser, round_: Round, text: str, now: datetime
) -> VotingCode:
    """Revoke one code: it can no longer be redeemed or vote; a ballot cast with it stays."""
    code = await find_code(session, round_, text)
    if code is None:
        raise rules.refusal("code_unknown")
    if code.revoked_at is not None:
        raise rules.refusal("code_already_revoked")
    code.revoked_at = now
    kept = await ballot_cast_with(session, code)
    await audit(
        session,
        staff,
        "voting_code.revoke",
        f"voting_code:{code.id}",
        batch=code.batch_id,
        letter=code.serial,
        used=code.redeemed_at is not None,
        ballot="kept" if kept else "none",
    )
    await session.flush()
    return code


async def revoke_unused(
    session: AsyncSession, staff: StaffUser, batch: VotingCodeBatch, now: datetime
) -> int:
    """Revoke every unused code of the batch; the used ones and their ballots stay."""
    result = await session.execute(
        update(VotingCode)
        .where(
            VotingCode.batch_id == batch.id,
            VotingCode.redeemed_at.is_(None),
            VotingCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    count = result.rowcount or 0  # type: ignore[attr-defined]
    if count == 0:
        raise rules.refusal("code_nothing_to_revoke")
    await audit(
        session,
        staff,
        "voting_codes.revoke_unused",
        f"voting_code_batch:{batch.id}",
        count=count,
        used_kept=(await batch_counts(session, batch)).used,
    )
    return count


async def batch_counts(session: AsyncSession, batch: VotingCodeBatch) -> CodeCounts:
    """The counts of one batch."""
    row = (await session.execute(_counts_query().where(VotingCode.batch_id == batch.id))).one()
    return CodeCounts(row[0], row[1], row[2], row[3])
