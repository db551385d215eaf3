"""The flag queue in a real browser (Debian's chromium): a moderator restores a comment that
residents' flags hid and dismisses unfounded flags; axe-core finds no serious violation at
desktop width and at 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Comment, CommentFlag, Participant, Round, utcnow
from budgeting.phases import Phase
from budgeting.services.flagging import flag_comment
from tests.rounds import TOWN
from tests.web_admin.harness import MODERATOR
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

FLAGGED = (
    ("Du är en idiot <b>som</b> föreslår sånt", ("offensive", "offensive", "spam")),
    ("Lite vid sidan av, men bussarna är sena", ("off_topic",)),
)


@pytest.fixture
def flag_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str, int]]:
    for server, url in seeded_server(sqlite_template, tmp_path, Phase.IDEAS):

        async def flag(session: AsyncSession) -> int:
            town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
            for body, reasons in FLAGGED:
                author = Participant(display_name="Writer", locale="sv", round_id=town.id)
                session.add(author)
                await session.flush()
                comment = Comment(proposal_id=1, author_id=author.id, body=body)
                session.add(comment)
                await session.flush()
                for reason in reasons:
                    person = Participant(display_name="Neighbour", locale="sv", round_id=town.id)
                    session.add(person)
                    await session.flush()
                    await flag_comment(session, town, person, comment.id, reason, utcnow())
            return town.id

        yield server, url, run(in_db(url, flag))


def test_a_moderator_works_through_the_flag_queue(
    chromium: Any,
    flag_server: tuple[LiveServer, str, int],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url, round_id = flag_server
    axe = Axe()
    queue = f"/admin/rounds/{round_id}/comments?show=flagged"
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.login(*MODERATOR)
        page.goto(queue)
        problems = page_problems(axe, page, "the flag queue", viewport)
        assert problems == [], "\n".join(problems)
        staff.close()
    staff = Staff(chromium, server)
    page = staff.login(*MODERATOR)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Comments").click()
    page.get_by_role("link", name="Flagged (2)").click()
    cards = page.locator("section.flagged")
    assert cards.count() == 2
    first = cards.nth(0)
    assert "3 flags" in first.inner_text()
    assert "Offensive or a personal attack: 2" in first.inner_text()
    assert first.locator("blockquote").inner_text() == FLAGGED[0][0]  # escaped, shown as text
    first.get_by_role("button", name="Show again").click()
    assert "visible again" in flash(page)
    card = page.locator("section.flagged")
    assert card.count() == 1 and "Lite vid sidan av" in card.inner_text()
    card.get_by_role("button", name="Dismiss the flags").click()
    assert "dismissed" in flash(page)
    assert page.get_by_text("No flagged comments.").is_visible()
    staff.close()

    async def check(session: AsyncSession) -> None:
        comments = (await session.scalars(select(Comment).order_by(Comment.id))).all()
        assert all(c.hidden_reason is None for c in comments)
        open_flags = select(CommentFlag).where(CommentFlag.resolved_at.is_(None))
        assert (await session.scalars(open_flags)).all() == []

    run(in_db(url, check))
