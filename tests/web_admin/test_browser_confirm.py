"""In a real browser, without JavaScript: each irreversible action's confirmation page says
how many are told, Cancel changes nothing, confirming (even with a double click) acts once,
and axe finds nothing serious at 1280 and 390 px."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    AuditEntry,
    ChannelIdentity,
    Follower,
    Notification,
    Participant,
    Proposal,
    Round,
)
from tests.builders import cast_ballots
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
)

WIDE, NARROW = VIEWPORTS


async def _residents(session: AsyncSession) -> int:
    """Four TOWN residents on Telegram who follow "Laddstolpar på landet"; its author and
    the author of "Cykelställ vid skolan" on Telegram too."""
    town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
    chargers = (
        await session.scalars(select(Proposal).where(Proposal.title == "Laddstolpar på landet"))
    ).one()
    for i in range(4):
        person = Participant(display_name=f"resident {i}", round_id=town.id)
        session.add(person)
        await session.flush()
        session.add(
            ChannelIdentity(participant_id=person.id, channel="telegram", external_id=f"{i}")
        )
        session.add(Follower(participant_id=person.id, proposal_id=chargers.id))
    bikes = (
        await session.scalars(select(Proposal).where(Proposal.title == "Cykelställ vid skolan"))
    ).one()
    for author in {chargers.author_id, bikes.author_id}:
        session.add(
            ChannelIdentity(participant_id=author, channel="telegram", external_id=f"a{author}")
        )
    return town.id


async def _counts(session: AsyncSession) -> dict[str, int]:
    """Notifications by kind and staff actions by name, so far."""
    rows = await session.execute(
        select(Notification.kind, func.count()).group_by(Notification.kind)
    )
    counts = {kind: n for kind, n in rows.all()}
    rows = await session.execute(
        select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
    )
    return counts | {action: n for action, n in rows.all()}


def check_page(page: Any, axe: Any, name: str) -> list[str]:
    """axe at both widths, and no sideways scrolling; the page's problems."""
    problems = []
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        problems += page_problems(axe, page, name, viewport)
    page.set_viewport_size(WIDE)
    return problems


def test_each_confirmation_page_counts_cancels_and_acts_once(
    chromium: Any,  # noqa: F811
    review_server: tuple[LiveServer, str],  # noqa: F811
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url = review_server
    town_id = run(in_db(url, _residents))
    axe = Axe()
    staff = Staff(chromium, server, viewport=WIDE)
    page = staff.login(*ADMIN)
    problems: list[str] = []

    def counts() -> dict[str, int]:
        return run(in_db(url, _counts))

    def ask_and_cancel(submit: str, question: str, *told: str) -> None:
        """Submit the form, read the confirmation page, cancel: nothing changes."""
        before = counts()
        page.get_by_role("button", name=submit, exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == question
        assert page.locator("script").count() == 0  # plain forms: no JavaScript needed
        said = page.get_by_role("region", name="What will happen").inner_text()
        assert all(line in said for line in told), said
        problems.extend(check_page(page, axe, question))
        page.get_by_role("link", name="Cancel").click()
        assert counts() == before

    def confirm_twice(submit: str, confirm: str) -> None:
        page.get_by_role("button", name=submit, exact=True).click()
        page.get_by_role("button", name=confirm).dblclick()
        page.locator(".flash").first.wait_for()  # the last answer: done, or done already

    # reject: the author and the four followers
    page.goto(f"/admin/rounds/{town_id}/review")
    page.get_by_role("link", name="Laddstolpar på landet").click()
    reason = page.get_by_label("Reason (the author reads it)", exact=True)
    reason.fill("Elbolaget äger laddstolparna.")
    ask_and_cancel(
        "Reject",
        "Reject this proposal?",
        "Its author will be told (1 person).",
        "4 followers of the proposal will be told.",
    )
    reason = page.get_by_label("Reason (the author reads it)", exact=True)
    reason.fill("Elbolaget äger laddstolparna.")
    confirm_twice("Reject", "Reject the proposal")
    done = counts()
    assert done["proposal.reject"] == 1 and done["review_outcome"] == 1
    assert done["followed_changed"] == 1

    # merge: its author; nobody follows it
    page.goto(f"/admin/rounds/{town_id}/review?show=all")
    page.get_by_role("link", name="Cykelställ vid skolan").click()
    ask_and_cancel("Merge", "Merge this proposal?", "Its author will be told (1 person).")
    confirm_twice("Merge", "Merge the proposal")
    assert "merged" in flash(page)
    assert counts()["proposal.merge"] == 1

    # phase change: everyone on a channel hears that voting is open
    page.goto(f"/admin/rounds/{town_id}")
    page.get_by_label("Phase now").select_option("voting")
    ask_and_cancel(
        "Change phase", "Change the phase?", "4 participants will be told that voting is open."
    )
    page.get_by_label("Phase now").select_option("voting")
    confirm_twice("Change phase", "Change the phase")
    done = counts()
    assert done["round.phase_override"] == 1 and done["voting_opens"] == 1

    # publish: ballots, the decision phase, a count; then everyone hears the results
    async def ballots(session: AsyncSession) -> None:
        town = await session.get(Round, town_id)
        await session.refresh(town, ["areas"])
        await cast_ballots(session, town)

    run(in_db(url, ballots))
    page.goto(f"/admin/rounds/{town_id}")
    page.get_by_label("Phase now").select_option("decision")
    page.get_by_role("button", name="Change phase").click()
    page.get_by_role("button", name="Change the phase").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Results").click()
    page.get_by_role("button", name="Count the ballots").click()
    ask_and_cancel(
        "Publish the newest count",
        "Publish the results?",
        "4 participants will be told the results.",
    )
    confirm_twice("Publish the newest count", "Publish the results")
    done = counts()
    assert done["tally.publish"] == 1 and done["results"] == 1
    for action in ("proposal.reject", "proposal.merge", "review_outcome", "voting_opens"):
        assert done[action] == (2 if action == "review_outcome" else 1), action
    assert done["round.phase_override"] == 2  # voting, then decision
    assert problems == [], "\n".join(problems)
    staff.close()
