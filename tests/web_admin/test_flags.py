"""The flag queue in the admin, over HTTP on both databases: login, role, CSRF, escaping,
restore, keep hidden, dismiss, audited; and the threshold in the round form."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Comment, CommentFlag, Participant, Round, utcnow
from budgeting.services.flagging import flag_comment
from tests.web_admin.harness import ADMIN, MODERATOR, Browser, audit_actions
from tests.web_admin.test_security import ESCAPED, SCRIPT
from tests.web_admin.test_setup import round_form


async def flagged(
    sessions: async_sessionmaker[AsyncSession], round_: Round, reasons: list[str], body: str
) -> int:
    """A new comment on #1 with ``body``, flagged by one new resident per reason."""
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, round_.id)
        author = Participant(display_name="Writer", locale="sv", round_id=round_.id)
        session.add(author)
        await session.flush()
        comment = Comment(proposal_id=1, author_id=author.id, body=body)
        session.add(comment)
        await session.flush()
        for n, reason in enumerate(reasons):
            person = Participant(display_name=f"Flagger {n}", locale="en", round_id=round_.id)
            session.add(person)
            await session.flush()
            await flag_comment(session, round_, person, comment.id, reason, utcnow())
        return comment.id


async def comment(sessions, comment_id: int) -> Comment:
    async with sessions() as session:
        return await session.get(Comment, comment_id)


async def open_flags(sessions, comment_id: int) -> int:
    async with sessions() as session:
        stmt = select(CommentFlag).where(
            CommentFlag.comment_id == comment_id, CommentFlag.resolved_at.is_(None)
        )
        return len((await session.scalars(stmt)).all())


async def test_the_queue_needs_a_login_and_the_csrf_token(
    town: Round, browser: Callable[[], Browser], sessions
) -> None:
    hidden = await flagged(sessions, town, ["spam"] * 3, SCRIPT)
    visitor = browser()
    page = await visitor.client.get(f"/admin/rounds/{town.id}/comments?show=flagged")
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")
    for action in ("show", "keep-hidden", "dismiss-flags"):
        response = await visitor.client.post(f"/admin/comments/{hidden}/{action}")
        assert response.status_code in (303, 401, 403)
    moderator = browser()
    await moderator.login(*MODERATOR)
    await moderator.get(f"/admin/rounds/{town.id}/comments?show=flagged")
    for action in ("show", "keep-hidden", "dismiss-flags"):
        response = await moderator.client.post(
            f"/admin/comments/{hidden}/{action}", data={"csrf_token": "wrong"}
        )
        assert response.status_code == 403
    still = await comment(sessions, hidden)
    assert still.hidden_by_flags and await open_flags(sessions, hidden) == 3
    assert await audit_actions(sessions) == ["login"]


async def test_a_moderator_works_through_the_queue(
    town: Round, browser: Callable[[], Browser], sessions
) -> None:
    hidden = await flagged(sessions, town, ["offensive", "offensive", "spam"], SCRIPT)
    visible = await flagged(sessions, town, ["off_topic"], "Lite utanför ämnet kanske")
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/rounds/{town.id}/comments?show=flagged")
    assert page.status_code == 200
    assert SCRIPT not in page.text and ESCAPED in page.text
    assert "Flagged (2)" in page.text
    assert page.text.index(ESCAPED) < page.text.index("Lite utanför ämnet kanske")  # most first
    assert "3 flags" in page.text and "1 flag<" in page.text
    assert (
        "Offensive or a personal attack: 2" in page.text and "Spam or advertising: 1" in page.text
    )
    assert "Off topic: 1" in page.text
    assert "pending review" in page.text
    # restore the hidden one, dismiss the flags on the visible one
    back = f"/admin/rounds/{town.id}/comments?show=flagged"
    response = await moderator.post(f"/admin/comments/{hidden}/show", {"next": back})
    assert response.status_code == 303 and response.headers["location"] == back
    restored = await comment(sessions, hidden)
    assert restored.hidden_reason is None and not restored.hidden_by_flags
    await moderator.post(f"/admin/comments/{visible}/dismiss-flags", {"next": back})
    assert (await comment(sessions, visible)).hidden_reason is None
    assert await open_flags(sessions, hidden) == await open_flags(sessions, visible) == 0
    page = await moderator.get(back)
    assert "No flagged comments." in page.text and "Flagged (0)" in page.text
    # dismissing again is refused with a reason, nothing changes
    await moderator.post(f"/admin/comments/{visible}/dismiss-flags", {"next": back})
    page = await moderator.get(back)
    assert "Nobody has flagged this comment since it was last reviewed." in page.text
    # flagged again and hidden: keep it hidden
    again = await flagged(sessions, town, ["personal_data"] * 3, "Hon bor på Storgatan 4")
    await moderator.get(back)
    await moderator.post(f"/admin/comments/{again}/keep-hidden", {"next": back})
    kept = await comment(sessions, again)
    assert kept.hidden_reason == "personal_data" and await open_flags(sessions, again) == 0
    hidden_page = await moderator.get(f"/admin/rounds/{town.id}/comments?show=hidden")
    assert "Hon bor på Storgatan 4" in hidden_page.text
    assert "Personal data about someone" in hidden_page.text
    assert await audit_actions(sessions) == [
        "login",
        "comment.show",
        "comment.flags_dismissed",
        "comment.flags_upheld",
    ]


async def test_admins_set_the_threshold_per_round(
    town: Round, browser: Callable[[], Browser], sessions
) -> None:
    moderator = browser()
    await moderator.login(*MODERATOR)
    assert (await moderator.get(f"/admin/rounds/{town.id}/edit")).status_code == 403
    admin = browser()
    await admin.login(*ADMIN)
    form = await admin.get(f"/admin/rounds/{town.id}/edit")
    assert 'id="flag_threshold" name="flag_threshold"' in form.text and 'value="3"' in form.text
    bad = await admin.post(
        f"/admin/rounds/{town.id}/edit", round_form(slug=town.slug, flag_threshold="0")
    )
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    saved = await admin.post(
        f"/admin/rounds/{town.id}/edit", round_form(slug=town.slug, flag_threshold="2")
    )
    assert saved.status_code == 303
    async with sessions() as session:
        assert (await session.get(Round, town.id)).flag_threshold == 2
    two = await flagged(sessions, town, ["spam", "other"], "Köp klockor")
    assert (await comment(sessions, two)).hidden_by_flags
