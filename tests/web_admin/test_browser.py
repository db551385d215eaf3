"""End to end in a real browser: the app served by uvicorn, driven by Playwright's chromium.

Staff review, moderate, set up a round and publish its results; afterwards the outbox in
the database holds what participants will be told. axe-core checks the main pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Notification,
    NotificationKind,
    Proposal,
    ProposalStatus,
    Round,
    TallyRun,
)
from tests.builders import cast_ballots
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import ADMIN, MODERATOR
from tests.web_admin.live import LiveServer, Staff, flash, in_db, page_problems, run, serious


def test_a_moderator_reviews_ideas_and_hides_a_comment(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    server, url = review_server
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Review").click()
    page.get_by_role("link", name="Bokbuss varje vecka").click()
    for criterion in page.locator("fieldset.criterion").all():
        criterion.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_role("button", name="Accept", exact=True).click()
    assert "on the ballot" in flash(page)
    page.get_by_role("link", name="Laddstolpar på landet").click()
    page.get_by_label("Reason (the author reads it)", exact=True).fill(
        "Elbolaget äger laddstolparna."
    )
    page.get_by_role("button", name="Reject", exact=True).click()
    page.get_by_role("button", name="Reject the proposal").click()
    assert "rejected" in flash(page)
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Comments").click()
    page.get_by_label("Reason for hiding (the author reads it)").fill("Utanför ämnet.")
    page.get_by_role("button", name="Hide").click()
    assert "hidden" in flash(page)
    staff.close()

    async def check(session: AsyncSession) -> None:
        outcomes = (
            await session.scalars(
                select(Notification)
                .where(Notification.kind == NotificationKind.REVIEW_OUTCOME.value)
                .order_by(Notification.id)
            )
        ).all()
        assert [n.payload["params"]["outcome"] for n in outcomes] == ["accepted", "rejected"]
        assert outcomes[1].payload["params"]["reason"] == "Elbolaget äger laddstolparna."
        assert all(n.participant_id is not None for n in outcomes)
        [hidden] = (
            await session.scalars(
                select(Notification).where(
                    Notification.kind == NotificationKind.COMMENT_HIDDEN.value
                )
            )
        ).all()
        assert hidden.payload["params"]["reason"] == "Utanför ämnet."
        assert hidden.participant_id is not None

    run(in_db(url, check))


def test_an_admin_sets_up_a_round_and_publishes_its_results(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    server, url = review_server
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.get_by_role("link", name="New round").click()
    page.get_by_label("Short name (used in links)").fill("hedemora-2027")
    page.get_by_label("Budget in kronor").fill("300000")
    dates = ["Ideas open", "Review starts", "Voting opens", "Voting closes, decision phase"]
    dates += ["Implementation starts", "Follow-up starts", "Round closes"]
    for month, label in enumerate(dates, start=1):
        page.get_by_label(label).fill(f"2027-{month:02d}-01T09:00")
    page.locator("#texts-sv-title").fill("Medborgarbudget Hedemora")
    page.locator("#texts-en-title").fill("Hedemora participatory budget")
    page.get_by_role("button", name="Save the round").click()
    assert "saved" in flash(page)
    area = page.get_by_role("group", name="Add an area")
    area.get_by_label("Svenska").fill("Hela kommunen")
    area.get_by_label("Budget in kronor").fill("300 000")
    page.get_by_role("button", name="Add the area").click()
    page.get_by_role("group", name="Add a criterion").get_by_label("Svenska").fill("Gynnar många")
    page.get_by_role("button", name="Add the criterion").click()
    assert "saved" in flash(page)

    async def residents_take_part(session: AsyncSession) -> int:
        round_ = (await session.scalars(select(Round).where(Round.slug == "hedemora-2027"))).one()
        await session.refresh(round_, ["areas"])
        for title, cost in (("Parkbänkar", 90_000), ("Lekplats", 200_000), ("Belysning", 150_000)):
            session.add(
                Proposal(
                    round_id=round_.id,
                    area_id=round_.areas[0].id,
                    title=title,
                    description=f"{title} i centrum.",
                    estimated_cost=cost,
                    status=ProposalStatus.ACCEPTED,
                )
            )
        await session.flush()
        await cast_ballots(session, round_, voters=30)
        return round_.id

    round_id = run(in_db(url, residents_take_part))
    page.goto(f"/admin/rounds/{round_id}")
    page.get_by_label("Phase now").select_option("decision")
    page.get_by_role("button", name="Change phase").click()
    page.get_by_role("button", name="Change the phase").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Results").click()
    page.get_by_role("button", name="Count the ballots").click()
    assert "counted" in flash(page)
    assert page.locator("svg[role=img]").count() == 1
    page.get_by_role("button", name="Publish the newest count").click()
    page.get_by_role("button", name="Publish the results").click()
    assert "published" in flash(page)
    staff.close()

    async def check(session: AsyncSession) -> None:
        [results] = (
            await session.scalars(
                select(Notification).where(Notification.kind == NotificationKind.RESULTS.value)
            )
        ).all()
        assert results.round_id == round_id
        [run_] = (await session.scalars(select(TallyRun))).all()
        assert run_.round_id == round_id and run_.published_at is not None
        statuses = (
            await session.scalars(select(Proposal.status).where(Proposal.round_id == round_id))
        ).all()
        assert ProposalStatus.SELECTED in statuses

    run(in_db(url, check))


def test_axe_finds_no_serious_violations(
    chromium: Any, decision_server: tuple[LiveServer, str]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = decision_server

    async def ids(session: AsyncSession) -> tuple[int, int]:
        round_ = (await session.scalars(select(Round).where(Round.slug == WORKPLACE.slug))).one()
        proposal = (await session.scalars(select(Proposal).order_by(Proposal.id).limit(1))).one()
        return round_.id, proposal.id

    round_id, proposal_id = run(in_db(url, ids))
    axe = Axe()
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.page
        pages = ["/admin/login?lang=en"]
        problems: list[str] = []
        for path in pages:
            page.goto(path)
            problems += serious(axe.run(page).response, path)
        staff.login(*ADMIN)
        for path in (
            "/admin/",
            f"/admin/rounds/{round_id}/review?show=all",
            f"/admin/proposals/{proposal_id}",
            f"/admin/rounds/{round_id}/results",
            f"/admin/rounds/{round_id}/implementation",
            f"/admin/rounds/{round_id}/edit",
            "/admin/users",
            "/admin/account",
        ):
            page.goto(path)
            problems += page_problems(axe, page, path, viewport)
        assert problems == [], "\n".join(problems)
        staff.close()


def test_a_moderator_follows_a_suggested_duplicate_and_axe_is_clean(
    chromium: Any, review_server: tuple[LiveServer, str]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = review_server

    async def add_duplicate(session: AsyncSession) -> None:
        town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
        benches = (
            await session.scalars(
                select(Proposal).where(Proposal.title == "Fler bänkar längs Ljusterån")
            )
        ).one()
        session.add(
            Proposal(
                round_id=town.id,
                area_id=benches.area_id,
                title="Sittplatser vid Ljusterån",
                description="Vi äldre behöver bänkar att vila på när vi promenerar vid Ljusterån.",
                estimated_cost=40_000,
                status=ProposalStatus.SUBMITTED,
            )
        )
        await session.commit()

    run(in_db(url, add_duplicate))
    axe = Axe()
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Review").click()
    problems = serious(axe.run(page).response, "review queue")
    row = page.get_by_role("row").filter(has_text="Sittplatser vid Ljusterån")
    row.get_by_role("link", name="Fler bänkar längs Ljusterån").click()
    page.wait_for_url("**/admin/proposals/*")
    assert page.get_by_role("heading", name="Suggested duplicates").is_visible()
    problems += serious(axe.run(page).response, "proposal review")
    page.get_by_role("region", name="Suggested duplicates").get_by_role(
        "link", name="Sittplatser vid Ljusterån"
    ).click()
    assert "Sittplatser vid Ljusterån" in page.get_by_role("heading", level=1).inner_text()
    assert problems == [], "\n".join(problems)
    staff.close()
