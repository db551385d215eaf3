"""The demo seeds in every phase, back and forth (other tests build their own rounds)."""

from __future__ import annotations

from sqlalchemy import func, select

from budgeting.demo import RESIDENTS_SLUG, demo_exists, seed_demo
from budgeting.models import Proposal, ProposalStatus, Round, TallyRun, utcnow
from budgeting.phases import SCHEDULED, Phase, current_phase


async def test_the_demo_seeds_in_every_phase(sessions) -> None:
    now = utcnow()
    for phase in (*SCHEDULED, Phase.VOTING):  # and back to before the count
        async with sessions() as session, session.begin():
            residents = await seed_demo(session, now, phase)
            assert residents.slug == RESIDENTS_SLUG and await demo_exists(session)
            assert current_phase(residents, now) is phase
            counted = phase in SCHEDULED[SCHEDULED.index(Phase.DECISION) :]
            assert (residents.results_published_at is not None) is counted
            runs = await session.scalar(select(func.count()).select_from(TallyRun))
            selected = await session.scalar(
                select(func.count()).where(Proposal.status == ProposalStatus.SELECTED)
            )
            assert bool(runs) is counted and bool(selected) is counted
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Round)) == 2
