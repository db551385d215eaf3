"""What every channel's tests share: the rounds they are seeded with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Round, utcnow
from budgeting.phases import Phase
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE


@pytest.fixture
def seeded(sessions: async_sessionmaker[AsyncSession]) -> Callable[[Phase], Awaitable[Round]]:
    """Put TOWN and WORKPLACE in a phase: ``await seeded(Phase.VOTING)``; returns TOWN."""

    async def seed(phase: Phase = Phase.IDEAS) -> Round:
        async with sessions() as session, session.begin():
            return (await rounds_in_phase(session, utcnow(), phase, TOWN, WORKPLACE))[0]

    return seed
