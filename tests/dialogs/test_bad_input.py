"""Bad input never crashes a flow and never changes state silently."""

from __future__ import annotations

from sqlalchemy import func, select

from budgeting.models import Ballot, Participant, Proposal
from budgeting.phases import Phase
from tests.dialogs.transcripts import START_ENGLISH


async def counts(sessions) -> tuple[int, int]:
    async with sessions() as session:
        return (
            await session.scalar(select(func.count()).select_from(Proposal)),
            await session.scalar(select(func.count()).select_from(Ballot)),
        )


async def test_unknown_text_empty_and_emoji(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    before = await counts(sessions)
    await chat().run(
        [
            *START_ENGLISH,
            ("what is this", "Sorry, I did not understand that"),
            ("🎉🎉🎉", "Sorry, I did not understand that"),
            ("", "I received an empty message"),
            ("   ", "I received an empty message"),
            ("/nonsense", "I do not know the command /nonsense"),
            ("x" * 10_001, "I can read at most 10000"),
        ]
    )
    assert await counts(sessions) == before


async def test_stale_and_forged_buttons(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    user = chat()
    await user.run(START_ENGLISH)
    before = await counts(sessions)
    for payload in [
        "vote:pick:1",
        "vote:confirm",
        "zz:1",
        "vote:zz",
        "vote:pick:abc",
        "vote:pick:99999999999999",
        "propose:area:1",
        "browse:open:" + "9" * 60,
        "welcome:language:xx",
        "ideas:withdraw_confirmed:1",
        "privacy:erase",
        "welcome:round:999",
        "settings:toggle:nothing",
        "vp:12",  # the payloads of old buttons still shown in chats
        "vc",
        "p:1",
        "lang:en",
        "",
        ":",
    ]:
        out = await user.send(payload=payload)
        assert "no longer active" in out or "not available" in out, (payload, out)
    assert await counts(sessions) == before
    # a button of another participant's idea cannot be used
    out = await user.send(payload="ideas:show:1")
    assert "not one of yours" in out


async def test_overlong_idea_gets_clear_limits(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    before = await counts(sessions)
    await chat().run(
        [
            *START_ENGLISH,
            ("/propose", "area"),
            ("1", "title"),
            ("x" * 10_000, "The title is 10000 characters long; the limit is 120"),
            ("ok", "at least 3 characters"),
            ("A fine title", "Describe"),
            ("y" * 10_000, "The description is 10000 characters long; the limit is 2000"),
            ("Short but fine description", "cost"),
            ("a lot", "whole number of kronor"),
            ("-5", "whole number of kronor"),
            ("900000", "more than the whole budget of the area (500,000 SEK)"),
            ("/cancel", "Cancelled."),
        ]
    )
    assert await counts(sessions) == before


async def test_voting_outside_voting_phase(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    await chat().run([*START_ENGLISH, ("/vote", "Voting is open from")])
    assert (await counts(sessions))[1] == 0


async def test_vote_after_close_is_refused(seeded, chat, sessions, clock) -> None:
    from datetime import timedelta

    await seeded(Phase.VOTING)
    user = chat()
    await user.run(
        [
            *START_ENGLISH,
            ("/vote", "area"),
            ("1", "#1"),
            ("1", "#2"),
            ("1", "#3"),
            ("1", "Cast this ballot?"),
        ]
    )
    clock.now += timedelta(days=30)
    await user.run([("Confirm", "Voting is not open now")])
    assert (await counts(sessions))[1] == 0


async def test_propose_outside_ideas_phase(seeded, chat, sessions) -> None:
    await seeded(Phase.VOTING)
    before = await counts(sessions)
    await chat().run([*START_ENGLISH, ("/propose", "Ideas can be submitted from")])
    assert await counts(sessions) == before


VOTE_ONE = [
    ("/vote", "area"),
    ("1", "#1"),
    ("1", "#2"),
    ("Done", "Your ballot"),
    ("Confirm", "receipt"),
]
FORGET = [("/forget", "Erase now?"), ("Yes, erase my data", "has been erased")]


async def test_forget_after_the_vote_closed_keeps_the_ballot_anonymously(
    seeded, chat, sessions
) -> None:
    await seeded(Phase.VOTING)
    user = chat("hanna")
    await user.run([*START_ENGLISH, *VOTE_ONE])
    async with sessions() as session:
        ballot_id = await session.scalar(
            select(Ballot.id).join(Participant).where(Participant.display_name == "hanna")
        )
    await seeded(Phase.DECISION)
    await user.run(
        [("/mydata", ["everything stored about you", "console hanna", "Ballots:"]), *FORGET]
    )
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.display_name == "hanna")
            )
            == 0
        )
        ballot = await session.get(Ballot, ballot_id)
        assert ballot.participant_id is None and len(ballot.ranks) == 1
    await user.run([("hello", "Which language do you prefer?")])


async def test_forget_while_voting_withdraws_the_ballot_so_nobody_votes_twice(
    seeded, chat, sessions
) -> None:
    await seeded(Phase.VOTING)
    user = chat("ivar")
    await user.run([*START_ENGLISH, *VOTE_ONE, *FORGET])
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 0
    await user.run([*START_ENGLISH, *VOTE_ONE])  # back as someone new: one ballot again
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ballot)) == 1


async def test_settings_toggle_reminder(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    user = chat("ivar")
    await user.run([*START_ENGLISH, ("/settings", "🔔 voting opens")])
    await user.send(payload=user.payload_of("voting opens"))
    assert "🔕 voting opens" in user.transcript[-1][1]
    async with sessions() as session:
        person = (
            await session.scalars(select(Participant).where(Participant.display_name == "ivar"))
        ).one()
    assert person.opt_outs == ["voting_opens"]


async def test_a_photo_at_a_text_step_changes_nothing(seeded, chat, sessions) -> None:
    await seeded(Phase.IDEAS)
    user = chat("photo-sender")
    await user.run([*START_ENGLISH, ("/propose", "area"), ("1", "short title")])
    out = await user.send(photo="AgACAgQAAxkBAAI-file-id", supports_photos=True)
    assert "cannot use a photo here" in out
    await user.run([("A real title", "Describe your idea")])


async def test_unknown_text_mid_flow_offers_the_steps_buttons_again(seeded, chat) -> None:
    """Typing something else at a button step keeps the step: its buttons come back, and
    typing one of them afterwards still works (the console has no buttons to press)."""
    await seeded(Phase.IDEAS)
    user = chat("typist")
    await user.run(
        [
            *START_ENGLISH,
            ("/propose", "area"),
            ("1", "short title"),
            ("Swings by the school", "Describe your idea"),
            ("Two swings for the little ones, please.", "cost"),
            ("20000", ["Please check your idea", "[Submit]"]),
            ("Skip", ["Choose one of these", "[Submit]", "[Start over]"]),
            ("Send it please", ["Choose one of these", "[Submit]", "[Start over]"]),
            ("Submit", "submitted"),
        ]
    )
