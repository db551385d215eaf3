"""An employee casts an approval ballot from Teams: the card toggles projects in place."""

from __future__ import annotations

import re

from sqlalchemy import select

from budgeting.models import Ballot, BallotKind, Round
from budgeting.phases import Phase
from tests.bot.channels.teams.harness import TENANT, TeamsUser, card_buttons
from tests.rounds import WORKPLACE


async def test_employee_votes_with_an_approval_card(seeded, teams, sessions) -> None:
    await seeded(Phase.VOTING)
    async with sessions() as session, session.begin():
        round_ = await session.scalar(select(Round).where(Round.slug == WORKPLACE.slug))
        round_.ballot_kind = BallotKind.APPROVAL
        round_.min_ranks, round_.max_ranks = 1, 2
    ella = TeamsUser(teams(teams_tenant_id=TENANT), name="Ella Ek")
    await ella.run([("/start", "[English]"), ("[English]", "[Vote]")])
    menu = ella.last[-1]
    out = await ella.press("Vote")
    assert "Choose up to 2 projects in Health and social care" in out
    assert "0 of 2 projects chosen" in out and "[Done]" not in out
    assert [(d.method, d.activity_id) for d in ella.last] == [("PUT", menu.activity_id)]

    out = await ella.press("#15 Höj")
    assert "1 of 2 projects chosen" in out and "[✓ #15 Höj- och sänkbara skrivbord]" in out
    assert [(d.method, d.activity_id) for d in ella.last] == [("PUT", menu.activity_id)]
    out = await ella.press("#14 Ljud")
    assert "2 of 2 projects chosen" in out and "[Done]" in out
    card = ella.last[0]
    out = await ella.press("#16 Frisk")  # a third is over the limit; the card stays
    assert "You have already chosen 2 projects, the most you can." in out
    assert [d.method for d in ella.last] == ["POST"]
    unchoose = next(p for p, title in card_buttons(card) if title.startswith("✓ #15"))
    out = await ella.submit(unchoose, card.activity_id)  # tapped again: off
    assert "1 of 2 projects chosen" in out and "[#15 Höj" in out
    out = await ella.press("Done")
    assert "Your ballot:" in out and "✓ #14 Ljuddämpning i personalrummet" in out
    assert "#15" not in out
    out = await ella.press("Confirm")
    assert "your ballot is registered" in out
    code = re.search(r"receipt code: (\w{4}-\w{4}-\w{4})", out).group(1)
    # the old card's buttons are stale now
    assert "no longer active" in await ella.submit(unchoose, card.activity_id)
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot))).one()
    assert ballot.receipt_code == code
    assert [(r.proposal_id, r.points) for r in ballot.ranks] == [(14, None)]
