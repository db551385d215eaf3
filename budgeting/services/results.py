"""Published results of a round, per area, and the files published with them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import PublishedFile, Round, TallyRun

FILES_PREFIX = "/files/rounds"
"""Where the public HTTP app serves published files (no login needed)."""
PUBLISHED_FILE_TYPE = "text/plain; charset=utf-8"
"""The content type a published pabulib file is served with."""


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


async def published_files(session: AsyncSession, round_: Round) -> list[PublishedFile]:
    """Each area's pabulib file as published with the results (with its SHA-256), in area
    order; empty before publication."""
    files = (
        await session.scalars(select(PublishedFile).where(PublishedFile.round_id == round_.id))
    ).all()
    order = {area.id: area.position for area in round_.areas}
    return sorted(files, key=lambda f: (order.get(f.area_id, 0), f.id))


async def published_file(
    session: AsyncSession, round_id: int, filename: str
) -> PublishedFile | None:
    """The file published under ``filename`` with round ``round_id``'s results, if any."""
    return await session.scalar(
        select(PublishedFile).where(
            PublishedFile.round_id == round_id, PublishedFile.filename == filename
        )
    )


async def area_file(session: AsyncSession, round_id: int, area_id: int) -> PublishedFile | None:
    """The area's file as published with the results, if it is."""
    return await session.scalar(
        select(PublishedFile).where(
            PublishedFile.round_id == round_id, PublishedFile.area_id == area_id
        )
    )


def file_path(round_id: int, filename: str) -> str:
    """The public address (path) a published file is downloaded from."""
    return f"{FILES_PREFIX}/{round_id}/{filename}"
