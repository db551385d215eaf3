"""The discussion of a proposal in Teams (the real Agents SDK through the fake connector)."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.models import Comment, CommentAgreement, Support
from budgeting.phases import Phase
from tests.bot.channels.teams.harness import TENANT, TeamsUser
from tests.bot.channels.teams.test_journeys import START_ENGLISH

OPEN_14 = [
    ("/browse", ["#14 Ljuddämpning i personalrummet"]),
    ("[#14]", ["#14 Ljuddämpning", "[Read comments]", "[Write a comment]"]),
]


async def test_thread_in_teams(seeded, teams, sessions) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=TENANT)
    anna, bo = TeamsUser(bot), TeamsUser(bot, name="Bo Berg")
    await anna.run(
        [
            *START_ENGLISH,
            *OPEN_14,
            ("[Write a comment]", "Write your comment on #14"),
            ("Panels on the ceiling would help most.", "[Sign as Employee"),
            ("[Sign as]", ["your comment is published", "1. Employee", "· today"]),
        ]
    )
    await bo.run(
        [
            *START_ENGLISH,
            *OPEN_14,
            ("[Read comments]", ["Panels on the ceiling", "[↪ Reply to 1]"]),
            ("[↪ Reply to 1]", "Write your reply to Employee"),
            ("And a rug under the table.", "[Choose my own name]"),
            ("[Choose my own name]", "Write the name"),
            ("Bo from the night shift", ["your reply is published", "1. Bo from the night shift"]),
        ]
    )
    assert "↪ reply to Employee" in bo.transcript[-1][1]
    await anna.run(
        [
            *OPEN_14,
            ("[Read comments]", "Bo from the night shift"),
            ("[👍 Agree with 1]", ["You agree with Bo from the night shift", "1 person agrees."]),
            ("[Back to #14]", "[👍 Support this idea]"),
            ("[👍 Support this idea]", "you support #14"),
            ("[Back to #14]", "1 person supports this idea."),
            ("Carpets in the corridor too", "Post this as a comment on #14"),
            ("[Yes, post it]", ["your comment is published", "Carpets in the corridor too"]),
        ]
    )
    async with sessions() as session:
        comments = list(
            (await session.scalars(select(Comment).where(Comment.proposal_id == 14))).all()
        )
        agreements = list((await session.scalars(select(CommentAgreement))).all())
        supports = list((await session.scalars(select(Support))).all())
    assert [c.reply_to_id for c in comments] == [None, comments[0].id, None]
    assert [a.comment_id for a in agreements] == [comments[1].id]
    assert [s.proposal_id for s in supports] == [14]
