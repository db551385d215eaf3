"""A cumulative ballot through aiogram and the fake Bot API: the builder edits its message."""

from __future__ import annotations

import re

from sqlalchemy import select

from budgeting.models import Ballot, BallotKind, Round
from budgeting.phases import Phase
from tests.bot.channels.telegram.harness import Telegram, expect, methods, start_in_english
from tests.rounds import TOWN


async def test_cumulative_ballot_through_telegram(seeded, telegram: Telegram, sessions) -> None:
    await seeded(Phase.VOTING)
    async with sessions() as session, session.begin():
        round_ = await session.scalar(select(Round).where(Round.slug == TOWN.slug))
        round_.ballot_kind = BallotKind.CUMULATIVE
        round_.points_total, round_.points_per_project = 6, 4
    cai = telegram.resident(1101, "Cai")
    await start_in_english(cai)
    expect(cai, await cai.say("/vote"), "Which area do you live in?")
    calls = await cai.press("Säter town")
    expect(cai, calls, "Spread 6 points", "At most 4 points on one project.", "6 points left")
    assert methods(calls) == ["editMessageText"]
    builder_id = calls[0].params["message_id"]

    calls = await cai.press("#1 Fler bänkar")
    expect(cai, calls, "How many points do you give it? (1 to 4 points)", "[4]", "[Back]")
    assert methods(calls) == ["editMessageText"] and calls[0].params["message_id"] == builder_id
    calls = await cai.press("4")
    expect(cai, calls, "2 points left", "[#1 Fler bänkar längs Ljusterån — 4 points]")
    calls = await cai.press("#4 Lekplats")
    out = expect(cai, calls, "(1 to 2 points)", "[2]")
    assert "[3]" not in out  # only the points left
    calls = await cai.press("2")
    expect(cai, calls, "0 points left", "[Done]")
    assert {c.params["message_id"] for c in calls if c.method == "editMessageText"} == {builder_id}
    calls = await cai.press("Done")
    expect(cai, calls, "Your ballot:", "Points given: 6 of 6.", "[Confirm]")
    review = cai.message_with("Confirm")
    out = expect(cai, await cai.press("Confirm"), "your ballot is registered", "receipt code")
    receipt = re.search(r"receipt code: (\S+)", out).group(1)

    # the review's buttons stay in the chat; pressing them again changes nothing
    expect(cai, await cai.press("Confirm", review), "That button is no longer active.")
    expect(cai, await cai.press("Change", review), "That button is no longer active.")
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot))).one()
    assert ballot.receipt_code == receipt
    assert [(r.proposal_id, r.points) for r in ballot.ranks] == [(1, 4), (4, 2)]
