"""Published results of a round, per area."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Round, TallyRun


async def published_results(session: AsyncSession, round_: Round) -> list[TallyRun]:
    """The newest published tally per area, in area order."""
    if round_.results_published_at is None:
        return []
    stmt = (
        select(TallyRun)
        .where(TallyRun.round_id == round_.id, TallyRun.published_at.is_not(None))
        .order_by(TallyRun.published_at.desc(), TallyRun.id.desc())
    )
    newest: dict[int, TallyRun] = {}
    for run in (await session.scalars(stmt)).all():
        newest.setdefault(run.area_id, run)
    order = {area.id: area.position for area in round_.areas}
    return sorted(newest.values(), key=lambda run: order.get(run.area_id, 0))
