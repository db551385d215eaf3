"""The main resident journeys as transcripts through the real dialog engine and database."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from budgeting.models import Ballot, Proposal, ProposalStatus, Round
from budgeting.phases import Phase
from tests.dialogs.transcripts import START_ENGLISH


async def test_idea_journey(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    alice = chat("alice")
    await alice.run(
        [
            *START_ENGLISH,
            ("/about", ["A medborgarbudget", "Budget: 1,000,000 SEK", "[The steps]"]),
            ("The steps", ["▶ 3. Ideas", "eight steps"]),
            ("/propose", ["Which area is your idea for?", "[Säter town]"]),
            ("Säter town", "Give your idea a short title (at most 120 characters)"),
            ("Park benches 🌳", "Describe your idea"),
            (
                "Benches along the river walk so older residents can rest.",
                "Roughly what would it cost",
            ),
            ("45 000 kr", ["Please check your idea", "Title: Park benches 🌳", "Cost: 45,000 SEK"]),
            ("Submit", "has been submitted"),
            ("/ideas", "Park benches 🌳 — waiting for review"),
        ]
    )
    async with sessions() as session:
        proposal = (
            await session.scalars(select(Proposal).where(Proposal.title == "Park benches 🌳"))
        ).one()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.estimated_cost == 45_000


async def test_vote_journey_and_receipt(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    bob = chat("bob")
    await bob.run(
        [
            *START_ENGLISH,
            ("/vote", ["Which area do you live in?"]),
            ("1", ["Rank up to 3 projects in Säter town", "Choose your #1:"]),
            ("1", ["Your ranking so far:", "1. #1 Fler bänkar", "(3 points)", "Choose your #2:"]),
            ("1", ["2. #2 Utegym", "(2 points)", "Choose your #3:"]),
            ("1", ["Your ballot:", "3. #3 Belysning", "(1 point)", "Cast this ballot?"]),
            ("Confirm", ["your ballot is registered", "receipt code"]),
        ]
    )
    code = re.search(r"receipt code: (\w{4}-\w{4}-\w{4})", bob.transcript[-1][1]).group(1)
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot).where(Ballot.receipt_code == code))).one()
        assert [r.proposal_id for r in ballot.ranks] == [1, 2, 3]


async def test_second_ballot_replaces_first_after_confirmation(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    voter = chat("carol")
    await voter.run(
        [
            *START_ENGLISH,
            ("/vote", "area"),
            ("1", "#1"),
            ("1", "#2"),
            ("1", "#3"),
            ("1", "Cast this ballot?"),
            ("Confirm", "receipt code"),
        ]
    )
    first = re.search(r"receipt code: (\S+)", voter.transcript[-1][1]).group(1)
    await voter.run(
        [
            ("/vote", [f"You have already voted (receipt {first})", "replaces the old one"]),
            ("1", "Choose your #1"),
            ("4", "Choose your #2"),  # Lekplats i Bergsgården
            ("1", "Choose your #3"),  # Fler bänkar längs Ljusterån
            ("Done", ["Your ballot:", "Confirming replaces the ballot you cast earlier."]),
        ]
    )
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot))).one()
        assert ballot.receipt_code == first  # not replaced before confirmation
    await voter.run([("Confirm", "your ballot is registered")])
    second = re.search(r"receipt code: (\S+)", voter.transcript[-1][1]).group(1)
    async with sessions() as session:
        ballots = (await session.scalars(select(Ballot))).all()
    assert len(ballots) == 1
    assert ballots[0].receipt_code == second != first
    assert [r.proposal_id for r in ballots[0].ranks] == [4, 1]


async def test_discussion_and_follow(seeded, chat) -> None:
    await seeded(Phase.IDEAS)
    dana = chat("dana")
    await dana.run(
        [
            *START_ENGLISH,
            ("/browse", "Which area do you want to look at?"),
            (
                "Säter town",
                ["Proposals in Säter town:", "#1 Fler bänkar längs Ljusterån", "1 comment"],
            ),
            ("#1 Fler bänkar längs Ljusterån", ["#1 Fler bänkar", "Status: on the ballot"]),
            ("Write a comment", "Write your comment on #1"),
            ("Yes please, <b>more</b> benches!", ["Sign with the name Resident", "[Choose my own"]),
            (
                "1",
                [
                    "your comment is published",
                    "2 comments",
                    "Yes please, <b>more</b> benches!",
                    "min mamma",
                ],
            ),
            ("/browse", "area"),
            ("1", "Proposals"),
            ("#1 Fler bänkar längs Ljusterån", "[Follow]"),
            ("Follow", "You now follow #1"),
            ("/follow", ["You follow:", "#1 Fler bänkar"]),
        ]
    )


async def test_withdraw_idea(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    erik = chat("erik")
    await erik.run(
        [
            *START_ENGLISH,
            ("/propose", "area"),
            ("2", "title"),
            ("Boules for all", "Describe"),
            ("A boules court next to the community hall.", "cost"),
            ("30000", "Please check"),
            ("Submit", "submitted"),
            ("/ideas", "Boules for all"),
            ("1", ["[Withdraw]", "[Edit]"]),
            ("Withdraw", "really want to withdraw"),
            ("Yes, withdraw", "has been withdrawn"),
            ("/ideas", "Boules for all — withdrawn"),
        ]
    )


async def test_edit_idea(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    fia = chat("fia")
    await fia.run(
        [
            *START_ENGLISH,
            ("/propose", "area"),
            ("1", "title"),
            ("Old title", "Describe"),
            ("A description of the idea.", "cost"),
            ("1000", "check"),
            ("Submit", "submitted"),
            ("/ideas", "Old title"),
            ("1", "[Edit]"),
            ("Edit", "area"),
            ("1", "title"),
            ("New title", "Describe"),
            ("A better description.", "cost"),
            ("2000", "2,000 SEK"),
            ("Submit", "has been updated"),
        ]
    )
    async with sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(Proposal.title.in_(["Old title", "New title"]))
        )
        proposal = (
            await session.scalars(select(Proposal).where(Proposal.title == "New title"))
        ).one()
    assert count == 1 and proposal.estimated_cost == 2000


async def test_swedish_is_the_default(seeded, chat) -> None:
    await seeded(Phase.IDEAS)
    await chat("gustav").run([("/start", "[Svenska]"), ("Svenska", "Medborgarbudget Säter 2027")])


async def test_start_again_does_not_ask_the_language_again(seeded, chat) -> None:
    """A poster's proposal link, opened by someone already taking part, opens the proposal."""
    await seeded(Phase.VOTING)
    erik = chat("erik")
    await erik.run(
        [
            *START_ENGLISH,
            ("/start", ["You are taking part in", "What would you like to do?"]),
            ("/start p_2", ["#2 Utegym", "[Follow]"]),
            ("/start p_999", ["That proposal"]),
        ]
    )
    assert "Which language" not in "".join(out for _, out in erik.transcript[2:])


async def test_start_again_offers_a_new_round_and_follows_links_into_it(
    seeded, chat, sessions
) -> None:
    """Someone from the first round is offered the second when it opens, and a poster's
    link to one of its proposals takes them into it."""
    await seeded(Phase.VOTING)
    fia = chat("fia")
    await fia.run(START_ENGLISH)
    async with sessions() as session, session.begin():  # a second residents' round opens
        other = await session.scalar(select(Round).where(Round.audience == "employees"))
        other.audience = "residents"
        linked = await session.scalar(
            select(Proposal.id).where(Proposal.round_id == other.id).order_by(Proposal.id)
        )
    await fia.run(
        [
            ("/start", ["Which round do you want to take part in?", "[Employee budget"]),
            (f"/start p_{linked}", ["You are taking part in: Employee budget", f"#{linked} "]),
        ]
    )


async def test_about_from_the_menu_keeps_the_ranking_under_way(seeded, chat) -> None:
    await seeded(Phase.VOTING)
    voter = chat("dora")
    await voter.run([*START_ENGLISH, ("/vote", "area"), ("1", "#1"), ("1", "Choose your #2:")])
    out = await voter.send(payload="vote:confirm")  # a stale button shows the menu
    assert "no longer active" in out
    await voter.run([("About the round", "participatory budget 2027")])
    out = await voter.send(payload="vote:pick:2")  # the ranking's own button still works
    assert "2. #2 Utegym" in out and "Choose your #3:" in out
