"""Looking up rounds and their areas."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from budgeting.models import Area, Round


async def rounds_for(session: AsyncSession, audiences: Sequence[str]) -> list[Round]:
    """Rounds open to the given audiences, newest first, with areas and criteria loaded."""
    stmt = (
        select(Round)
        .where(Round.audience.in_(list(audiences)))
        .options(selectinload(Round.areas), selectinload(Round.criteria))
        .order_by(Round.ideas_opens_at.desc(), Round.id.desc())
    )
    return list((await session.scalars(stmt)).all())


async def load_round(session: AsyncSession, round_id: int) -> Round | None:
    """One round with its areas and criteria."""
    return (await session.scalars(ROUND_WITH_PARTS, {"round_id": round_id})).unique().first()


ROUND_WITH_PARTS = (
    select(Round)
    .where(Round.id == bindparam("round_id"))
    .options(joinedload(Round.areas), joinedload(Round.criteria))
)
"""Built once: every batch of chat turns loads its rounds."""


def area_of(round_: Round, area_id: int) -> Area | None:
    """The area of ``round_`` with this id, or None (never another round's area)."""
    return next((area for area in round_.areas if area.id == area_id), None)
