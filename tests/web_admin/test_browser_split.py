"""Splitting a round by group in a real browser (Debian's chromium): an admin chooses the
split in the round form, a group needs a voting code, the voting monitor shows each group;
axe-core finds no serious violation at desktop width and at 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Area, GroupMembership, Participant, Round
from budgeting.phases import Phase
from tests.rounds import TOWN
from tests.web_admin.harness import ADMIN
from tests.web_admin.live import (
    VIEWPORTS,
    LiveServer,
    Staff,
    flash,
    in_db,
    page_problems,
    run,
    seeded_server,
)


@pytest.fixture
def ideas_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str, int]]:
    for server, url in seeded_server(sqlite_template, tmp_path, Phase.IDEAS):

        async def town_id(session: AsyncSession) -> int:
            return (await session.scalars(select(Round.id).where(Round.slug == TOWN.slug))).one()

        yield server, url, run(in_db(url, town_id))


def test_an_admin_splits_a_round_by_group(
    chromium: Any,
    ideas_server: tuple[LiveServer, str, int],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url, round_id = ideas_server
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.goto(f"/admin/rounds/{round_id}/edit")
    page.get_by_label("How the round is split").select_option("group")
    page.get_by_role("button", name="Save").first.click()
    assert "saved" in flash(page)
    page.goto(f"/admin/rounds/{round_id}/structure")
    assert page.get_by_role("heading", name="Groups and their budgets").is_visible()
    first = page.locator("form.card").first
    first.get_by_label("Voting in this group needs a voting code issued for it").check()
    first.get_by_role("button", name="Save the group").click()
    assert "saved" in flash(page)
    staff.close()

    async def declare(session: AsyncSession) -> None:
        area = (
            await session.scalars(
                select(Area).where(Area.round_id == round_id).order_by(Area.position).limit(1)
            )
        ).one()
        assert area.requires_voting_code
        assert (await session.get(Round, round_id)).split_kind == "group"
        person = Participant(round_id=round_id)
        session.add(person)
        await session.flush()
        session.add(GroupMembership(participant_id=person.id, round_id=round_id, area_id=area.id))

    run(in_db(url, declare))
    axe = Axe()
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.login(*ADMIN)
        problems: list[str] = []
        for path in ("edit", "structure", "voting"):
            page.goto(f"/admin/rounds/{round_id}/{path}")
            problems += page_problems(axe, page, path, viewport)
        assert page.get_by_role("heading", name="Per group").is_visible()
        assert problems == [], "\n".join(problems)
        staff.close()
