"""States that cannot contradict, in a real browser (Debian's chromium): once voting has
opened the round's ballot settings and areas are read-only with the reason shown, and a
forged POST is refused with that reason and changes nothing; a proposal is accepted only
fully assessed or by an override with a reason the audit log keeps; a duplicate is merged
only into an open or accepted proposal of its area. axe-core finds no serious violation on
these pages at 1280 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import AuditEntry, Notification, Proposal, ProposalStatus, Round
from budgeting.phases import Phase
from tests.rounds import TOWN
from tests.web_admin.harness import ADMIN, MODERATOR
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

VOTING_OPENED = (
    "Voting has opened: the budget, how the round is split, the ballot kind, K and the points"
)
AREAS_LOCKED = "Voting has opened: areas can no longer be added or removed"
FORM_DATA = "f => Object.fromEntries(new FormData(f))"


@pytest.fixture
def voting_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.VOTING)


async def _town(session: AsyncSession) -> Round:
    town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
    await session.refresh(town, ["areas"])
    return town


async def _settings(session: AsyncSession) -> tuple:
    """What voting locks, as stored."""
    town = await _town(session)
    ballot = (town.budget, town.ballot_kind, town.min_ranks, town.max_ranks)
    ballot += (town.points_total, town.points_per_project)
    return ballot, sorted((a.id, a.budget) for a in town.areas)


def _no_serious_problems(page: Any, axe: Any, paths: list[str], viewport: dict) -> None:
    problems: list[str] = []
    for path in paths:
        page.goto(path)
        problems += page_problems(axe, page, path, viewport)
    assert problems == [], "\n".join(problems)


def test_voting_locks_the_ballot_settings_and_the_areas(
    chromium: Any,
    voting_server: tuple[LiveServer, str],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = voting_server
    town_id = run(in_db(url, _town)).id
    edit, structure = f"/admin/rounds/{town_id}/edit", f"/admin/rounds/{town_id}/structure"
    before = run(in_db(url, _settings))
    axe = Axe()
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        _no_serious_problems(staff.login(*ADMIN), axe, [edit, structure], viewport)
        staff.close()

    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.goto(edit)
    assert VOTING_OPENED in page.locator("#frozen-help").inner_text()
    for label in (
        "Budget in kronor",
        "fewest projects a voter must rank or choose",
        "most projects a voter may rank or choose (K)",
        "Cumulative: points each voter spreads",
        "Cumulative: most points on one project",
    ):
        field = page.get_by_label(label)
        assert not field.is_editable(), label
        assert field.get_attribute("aria-describedby") == "frozen-help"
    assert page.get_by_label("How residents vote").is_disabled()
    assert page.get_by_label("Minimum support for a project to be selected").is_editable()
    form = page.locator("form[action$='/edit']")
    sent = form.evaluate(FORM_DATA)
    for name, value in (
        ("budget", "2000000"),
        ("ballot_kind", "approval"),
        ("min_ranks", "2"),
        ("max_ranks", "5"),
        ("points_total", "20"),
        ("points_per_project", "2"),
    ):
        response = page.request.post(edit, form={**sent, name: value})
        assert response.status == 400, name
        assert VOTING_OPENED in response.text(), name
    page.locator("#texts-en-title").fill("Säter's budget 2027")  # texts still change
    page.get_by_role("button", name="Save the round").click()
    assert "saved" in flash(page)

    page.goto(structure)
    assert AREAS_LOCKED in page.locator("#areas-locked-help").inner_text()
    assert page.get_by_role("button", name="Add the area").count() == 0
    assert page.get_by_role("button", name="Remove the area").count() == 0
    first = page.locator("form[action*='/areas/']").first
    assert not first.get_by_label("Budget in kronor").is_editable()
    area_form = first.evaluate(FORM_DATA)
    area_url = first.get_attribute("action")
    for forged_url, data in (
        (area_url, {**area_form, "budget": "1"}),
        (f"/admin/rounds/{town_id}/areas", {**area_form, "budget": "1"}),
        (f"{area_url}/delete", {"csrf_token": area_form["csrf_token"]}),
    ):
        response = page.request.post(forged_url, form=data)
        assert AREAS_LOCKED in response.text(), forged_url
    first.get_by_label("English").fill("Säter town centre")  # names still change
    first.get_by_role("button", name="Save the area").click()
    assert "saved" in flash(page)
    staff.close()
    assert run(in_db(url, _settings)) == before


async def _review_state(session: AsyncSession) -> tuple:
    statuses = (await session.execute(select(Proposal.id, Proposal.status))).all()
    notices = (await session.scalars(select(Notification.id))).all()
    return sorted(statuses), len(notices)


def _proposal_id(url: str, title: str) -> int:
    async def find(session: AsyncSession) -> int:
        return (await session.scalars(select(Proposal.id).where(Proposal.title == title))).one()

    return run(in_db(url, find))


def test_accepting_needs_every_criterion_assessed_or_an_override_with_a_reason(
    chromium: Any,  # noqa: F811
    review_server: tuple[LiveServer, str],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = review_server
    idea = _proposal_id(url, "Bokbuss varje vecka")
    path = f"/admin/proposals/{idea}"
    axe = Axe()
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        _no_serious_problems(staff.login(*MODERATOR), axe, [path], viewport)
        staff.close()

    before = run(in_db(url, _review_state))
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.goto(path)
    override = page.get_by_role("group", name="Accept without a complete assessment")
    assert "4 criteria are not assessed yet" in override.inner_text()
    checkbox = override.get_by_label("Accept anyway, without assessing every criterion")
    assert checkbox.get_attribute("required") is not None
    accept = page.locator("form[action$='/accept']")
    sent = {k: v for k, v in accept.evaluate(FORM_DATA).items() if k != "override"}
    response = page.request.post(f"{path}/accept", form=sent)
    assert "Assess every criterion first" in response.text()
    response = page.request.post(f"{path}/accept", form={**sent, "override": "yes"})
    assert "Give the reason for accepting without a complete assessment" in response.text()
    assert run(in_db(url, _review_state)) == before

    page.goto(path)
    checkbox.check()
    page.get_by_label("Why (kept in the audit log)").fill("Fullmäktige bad om den i förväg.")
    page.get_by_role("button", name="Accept", exact=True).click()
    assert "on the ballot" in flash(page)
    staff.close()

    admin = Staff(chromium, server)
    page = admin.login(*ADMIN)
    page.goto("/admin/audit")
    row = page.get_by_role("row").filter(has_text="proposal.accept")
    assert "override: Fullmäktige bad om den i förväg." in row.inner_text()
    admin.close()

    async def check(session: AsyncSession) -> None:
        assert (await session.get(Proposal, idea)).status == ProposalStatus.ACCEPTED
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.accept"))
        ).one()
        assert entry.details["override"] == "Fullmäktige bad om den i förväg."
        assert len(entry.details["unassessed"]) == 4

    run(in_db(url, check))


def test_a_duplicate_merges_only_into_an_open_or_accepted_proposal_of_its_area(
    chromium: Any,  # noqa: F811
    review_server: tuple[LiveServer, str],
) -> None:
    server, url = review_server
    benches = _proposal_id(url, "Fler bänkar längs Ljusterån")  # Säter town, with #5 rejected
    boules = _proposal_id(url, "Boulebana i Gustavsbo")  # Gustavsbo, with #9 merged
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)

    def offered(proposal_id: int) -> list[str]:
        page.goto(f"/admin/proposals/{proposal_id}")
        return page.get_by_label("Merge into").locator("option").all_inner_texts()

    assert offered(benches) == [
        "#2 Utegym vid Säterdalen",
        "#3 Belysning på gångvägen till stationen",
        "#4 Lekplats i Bergsgården",
    ]
    assert offered(boules) == ["#7 Hundrastgård", "#8 Cykelställ vid skolan"]
    before = run(in_db(url, _review_state))
    page.goto(f"/admin/proposals/{benches}")
    merge = page.locator("form[action$='/merge']")
    sent = merge.evaluate(FORM_DATA)
    rejected, merged = _proposal_id(url, "Ny simhall"), _proposal_id(url, "Hundgård i Gustavsbo")
    other_round = _proposal_id(url, "Friskvårdsdag för alla")
    for target in (rejected, merged, other_round, benches, 999_999):
        response = page.request.post(
            f"/admin/proposals/{benches}/merge", form={**sent, "target_id": str(target)}
        )
        assert "Choose another open or accepted proposal" in response.text(), target
    assert run(in_db(url, _review_state)) == before
    page.goto(f"/admin/proposals/{benches}")
    page.get_by_label("Merge into").select_option(label="#4 Lekplats i Bergsgården")
    page.get_by_role("button", name="Merge").click()
    page.get_by_role("button", name="Merge the proposal").click()
    assert "merged" in flash(page)
    staff.close()


@pytest.fixture
def decision_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.DECISION)


def test_a_declined_project_in_the_admin_pages_and_axe_is_clean(
    chromium: Any,  # noqa: F811
    decision_server: tuple[LiveServer, str],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = decision_server

    async def first_selected(session: AsyncSession) -> tuple[int, Proposal]:
        town = await _town(session)
        stmt = select(Proposal).where(
            Proposal.round_id == town.id, Proposal.status == ProposalStatus.SELECTED
        )
        return town.id, (await session.scalars(stmt.order_by(Proposal.id))).first()

    town_id, project = run(in_db(url, first_selected))
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.goto(f"/admin/rounds/{town_id}/results")
    decision = page.locator(f"form[action='/admin/proposals/{project.id}/decision']")
    decision.get_by_label("Decision").select_option(label="Declined by the council")
    decision.get_by_role("button", name="Save").click()
    page.goto(f"/admin/rounds/{town_id}/implementation")
    declined = page.get_by_role("region", name="Declined by the council")
    assert f"#{project.id} {project.title}" in declined.inner_text()
    staff.close()
    axe = Axe()
    paths = [
        f"/admin/rounds/{town_id}/review?show=all",
        f"/admin/rounds/{town_id}/results",
        f"/admin/rounds/{town_id}/implementation",
        f"/admin/proposals/{project.id}",
    ]
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        _no_serious_problems(staff.login(*ADMIN), axe, paths, viewport)
        staff.close()
