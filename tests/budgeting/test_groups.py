"""Groups of a round split by groups: declared once, and reached by a broadcast to the group."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from budgeting.models import Notification, NotificationKind, Participant, Round, utcnow
from budgeting.phases import Phase
from budgeting.services.audiences import next_recipients
from budgeting.services.errors import RuleViolation
from budgeting.services.groups import declare_group, declared_group, members_per_group
from budgeting.services.rounds import load_round
from tests.builders import rounds_in_phase
from tests.rounds import TOWN


async def group_round(session) -> Round:
    (town,) = await rounds_in_phase(session, utcnow(), Phase.VOTING, TOWN)
    await session.execute(update(Round).where(Round.id == town.id).values(split_kind="group"))
    return await load_round(session, town.id)


async def test_a_group_is_declared_once_and_kept(sessions) -> None:
    async with sessions() as session, session.begin():
        town = await group_round(session)
        first, second = town.areas[0].id, town.areas[1].id
        person = Participant(round_id=town.id)
        session.add(person)
        await session.flush()
        assert await declared_group(session, town, person) is None
        await declare_group(session, town, person, first, utcnow())
        await declare_group(session, town, person, first, utcnow())  # the same answer: fine
        with pytest.raises(RuleViolation) as changed:
            await declare_group(session, town, person, second, utcnow())
        assert changed.value.code == "group_declared"
        with pytest.raises(RuleViolation) as unknown:
            await declare_group(session, town, person, 10**9, utcnow())
        assert unknown.value.code == "unknown_area"
        assert await declared_group(session, town, person) == first
        assert await members_per_group(session, town.id) == {first: 1}
        town.split_kind = "area"
        with pytest.raises(RuleViolation) as not_groups:
            await declare_group(session, town, Participant(round_id=town.id), first, utcnow())
        assert not_groups.value.code == "not_split_by_group"


async def test_a_broadcast_to_a_group_reaches_its_declared_members(sessions) -> None:
    async with sessions() as session, session.begin():
        town = await group_round(session)
        first, second = town.areas[0].id, town.areas[1].id
        young, senior = Participant(round_id=town.id), Participant(round_id=town.id)
        session.add_all([young, senior])
        await session.flush()
        await declare_group(session, town, young, first, utcnow())
        await declare_group(session, town, senior, second, utcnow())
        news = Notification(
            round_id=town.id,
            kind=NotificationKind.BROADCAST.value,
            payload={"audience": {"area_id": first}},
        )
        session.add(news)
        await session.flush()
        assert [p.id for p in await next_recipients(session, news, 0, 10)] == [young.id]
