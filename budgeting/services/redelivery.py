"""Channel updates already handled: a redelivered update must change nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from budgeting.db import upsert
from budgeting.models import ProcessedUpdate

_INSERT_NEW: dict[str, Insert] = {}
"""INSERT … ON CONFLICT DO NOTHING RETURNING the new keys, built once per database kind."""


async def record_new_updates(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> set[tuple[str, str]]:
    """Record updates (``channel``, ``update_key``, ``created_at``) as processed.

    Returns the (channel, update_key) pairs that were not recorded before. ON CONFLICT
    DO NOTHING waits for a concurrent transaction recording the same key to commit, so
    an update is never handled twice at once.
    """
    if not rows:
        return set()
    dialect = session.bind.dialect.name
    if dialect not in _INSERT_NEW:
        table = ProcessedUpdate.__table__
        _INSERT_NEW[dialect] = (
            upsert(session, table)
            .on_conflict_do_nothing(index_elements=["channel", "update_key"])
            .returning(table.c.channel, table.c.update_key)
        )
    result = await session.execute(_INSERT_NEW[dialect], rows)
    return {(channel, key) for channel, key in result}
