"""Staff choose how a round is split (area, theme, group) and read the admin in its words."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Area, Ballot, GroupMembership, Participant, Round
from tests.web_admin.harness import ADMIN, Browser
from tests.web_admin.test_setup import round_form


async def test_the_round_form_sets_the_split(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    form = await admin.get("/admin/rounds/new")
    assert 'name="split_kind"' in form.text and 'name="one_ballot_per_part"' in form.text
    assert '<option value="area" selected>' in form.text  # today's behaviour is the default
    forged = await admin.post("/admin/rounds/new", round_form(split_kind="district"))
    assert forged.status_code == 400 and "Choose how the round is split." in forged.text
    created = await admin.post(
        "/admin/rounds/new", round_form(split_kind="theme", one_ballot_per_part="on")
    )
    assert created.status_code == 303
    round_id = int(re.search(r"/admin/rounds/(\d+)/structure", created.headers["location"])[1])
    structure = await admin.get(f"/admin/rounds/{round_id}/structure")
    assert "Themes and their budgets" in structure.text and "Add the theme" in structure.text
    await admin.post(
        f"/admin/rounds/{round_id}/areas", {"name.sv.name": "Kultur", "budget": "500000"}
    )
    edit = await admin.get(f"/admin/rounds/{round_id}/edit")
    assert '<option value="theme" selected>' in edit.text
    checkbox = edit.text.split('id="one_ballot_per_part"')[1].split(">")[0]
    assert 'name="one_ballot_per_part"' in checkbox and "checked" in checkbox
    # "each theme" means nothing outside a theme round: it is not kept for groups
    await admin.post(
        f"/admin/rounds/{round_id}/edit",
        round_form(split_kind="group", one_ballot_per_part="on"),
    )
    async with sessions() as session:
        round_ = await session.get(Round, round_id)
        assert (round_.split_kind, round_.one_ballot_per_part) == ("group", False)
        area_id = await session.scalar(select(Area.id).where(Area.round_id == round_id))
    # a group may need a voting code of its own
    structure = await admin.get(f"/admin/rounds/{round_id}/structure")
    assert "Groups and their budgets" in structure.text
    assert "Voting in this group needs a voting code issued for it" in structure.text
    await admin.post(
        f"/admin/rounds/{round_id}/areas/{area_id}",
        {"name.sv.name": "Unga 13–19", "budget": "500000", "requires_voting_code": "on"},
    )
    async with sessions() as session:
        assert (await session.get(Area, area_id)).requires_voting_code
    # once ballots are cast the split stays
    async with sessions() as session, session.begin():
        session.add(Ballot(round_id=round_id, area_id=area_id, receipt_code="SPLT-0000-0001"))
    refused = await admin.post(f"/admin/rounds/{round_id}/edit", round_form(split_kind="area"))
    assert refused.status_code == 400 and "can no longer change" in refused.text
    async with sessions() as session:
        assert (await session.get(Round, round_id)).split_kind == "group"


async def test_the_voting_monitor_shows_each_group(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Round).where(Round.id == town.id).values(split_kind="group"))
        first, second = town.areas[0].id, town.areas[1].id
        people = [Participant(round_id=town.id) for _ in range(3)]
        session.add_all(people)
        await session.flush()
        for person, group in zip(people, (first, first, second), strict=True):
            session.add(GroupMembership(participant_id=person.id, round_id=town.id, area_id=group))
        session.add(
            Ballot(
                round_id=town.id,
                area_id=first,
                participant_id=people[0].id,
                receipt_code="SPLT-0000-0002",
            )
        )
    admin = browser()
    await admin.login(*ADMIN)
    page = await admin.get(f"/admin/rounds/{town.id}/voting")
    assert page.status_code == 200
    assert "Per group" in page.text and "People who said they belong to it" in page.text
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page.text,
    )
    assert rows[:2] == [("Säter town", "1", "2"), ("Gustavsbo", "0", "1")]
    overview = await admin.get(f"/admin/rounds/{town.id}")
    assert '<h2 id="areas-heading">Groups</h2>' in overview.text
    assert ">Groups and criteria</a>" in overview.text
    messages = await admin.get(f"/admin/rounds/{town.id}/broadcasts")
    assert "Those in a group: its voters and those who said they belong to it" in messages.text


async def test_the_split_is_read_only_once_voting_has_opened(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.confirm(f"/admin/rounds/{town.id}/phase", {"phase": "voting"})
    edit = await admin.get(f"/admin/rounds/{town.id}/edit")
    select_tag = edit.text.split('id="split_kind"')[1].split(">")[0]
    assert "disabled" in select_tag and 'name="split_kind"' not in select_tag
    assert '<input type="hidden" name="split_kind" value="area">' in edit.text
    checkbox = edit.text.split('id="one_ballot_per_part"')[1].split(">")[0]
    assert "disabled" in checkbox and "name=" not in checkbox
    same = {"slug": town.slug, "budget": "1 000 000", "phase_override": "voting"}
    forged = await admin.post(
        f"/admin/rounds/{town.id}/edit", round_form(**same, split_kind="theme")
    )
    assert forged.status_code == 400 and "how the round is split" in forged.text
    async with sessions() as session:
        assert (await session.get(Round, town.id)).split_kind == "area"
    kept = await admin.post(f"/admin/rounds/{town.id}/edit", round_form(**same))
    assert kept.status_code == 303  # the same split (from the hidden field) is no change
