"""Staff answer in a proposal's discussion from its review page; residents see it signed
with the organisation."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Comment, Round
from tests.web_admin.harness import MODERATOR, Browser, audit_actions, proposal_titled


async def test_staff_answer_a_comment_from_the_review_page(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    idea = await proposal_titled(sessions, "Fler bänkar längs Ljusterån")
    async with sessions() as session, session.begin():
        (await session.get(Round, town.id)).organisation = "Säters <kommun>"
        first = (await session.scalars(select(Comment).where(Comment.proposal_id == idea.id))).one()
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/proposals/{idea.id}")
    assert "Answer in the discussion" in page.text
    assert "Säters &lt;kommun&gt;" in page.text and "Säters <kommun>" not in page.text
    for refused in ({"body": ""}, {"body": "x" * 1001}, {"body": "Hej", "reply_to": "999999"}):
        await moderator.post(f"/admin/proposals/{idea.id}/answer", refused)
    after = await moderator.get(f"/admin/proposals/{idea.id}")
    assert "Choose a visible comment of this proposal to answer." in after.text
    await moderator.post(
        f"/admin/proposals/{idea.id}/answer",
        {"body": "Vi <b>tittar</b> på platsen i vår.", "reply_to": str(first.id)},
    )
    async with sessions() as session:
        comments = list(
            (await session.scalars(select(Comment).where(Comment.proposal_id == idea.id))).all()
        )
    assert len(comments) == 2
    answer = comments[-1]
    assert answer.staff_user_id is not None and answer.author_id is None
    assert answer.reply_to_id == first.id and answer.body == "Vi <b>tittar</b> på platsen i vår."
    shown = await moderator.get(f"/admin/proposals/{idea.id}")
    assert "Vi &lt;b&gt;tittar&lt;/b&gt;" in shown.text
    assert "comment.answer" in await audit_actions(sessions)
