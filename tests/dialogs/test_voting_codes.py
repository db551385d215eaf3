"""Voting codes: a code makes one person eligible for exactly one ballot, in any channel."""

from __future__ import annotations

from sqlalchemy import func, select, update

from budgeting.models import Ballot, Round, StaffRole, StaffUser, VotingCode, utcnow
from budgeting.phases import Phase
from budgeting.services.rounds import load_round
from budgeting.services.staff.voting_codes import batch_codes, code_key, issue_batch, revoke_code
from budgeting.services.voting_codes import generate_codes
from tests.dialogs.transcripts import START_ENGLISH


async def voting_round_codes(seeded, sessions, count: int) -> list[str]:
    """TOWN in its voting phase, requiring voting codes; ``count`` new codes."""
    round_ = await seeded(Phase.VOTING)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Round).where(Round.id == round_.id).values(requires_voting_code=True)
        )
        return await generate_codes(session, await session.get(Round, round_.id), count)


VOTE_ONE = [("1", "Choose your #1"), ("1", "Choose your #2"), ("Done", "Your ballot")]


async def test_codes_gate_voting_and_back_one_ballot(seeded, chat, sessions) -> None:
    codes = await voting_round_codes(seeded, sessions, 2)
    code = codes[0]
    telegram_self = chat("anna", channel="telegram")
    await telegram_self.run(
        [
            *START_ENGLISH,
            ("/vote", "type the code from your letter"),
            ("WRONG-CODE-0000", "not valid"),
            (code.lower().replace("-", " "), ["voting code is accepted", "Which area"]),
            *VOTE_ONE,
            ("Confirm", "receipt code"),
        ]
    )
    # the same person in another channel cannot use the code again
    teams_self = chat("anna-teams", channel="console")
    await teams_self.run([*START_ENGLISH, ("/vote", "type the code"), (code, "already been used")])
    async with sessions() as session:
        ballots = (await session.scalars(select(Ballot))).all()
        used = await session.scalar(
            select(func.count()).select_from(VotingCode).where(VotingCode.redeemed_at.is_not(None))
        )
        stored = (await session.scalars(select(VotingCode.code_hash))).all()
    assert len(ballots) == 1 and ballots[0].voting_code_id is not None
    assert used == 1
    assert all(code.replace("-", "") not in h for h in stored)  # only hashes are stored


async def test_wrong_codes_are_limited(seeded, chat, sessions) -> None:
    codes = await voting_round_codes(seeded, sessions, 1)
    user = chat()
    await user.run([*START_ENGLISH, ("/vote", "code")])
    for _ in range(5):
        await user.run([("AAAA-BBBB-CCCC", "not valid")])
    await user.run([(codes[0], "Too many wrong codes")])


async def test_forget_while_voting_frees_the_code_for_one_ballot(seeded, chat, sessions) -> None:
    (code,) = await voting_round_codes(seeded, sessions, 1)
    voter = chat("berit")
    vote = [("/vote", "type the code"), (code, "Which area"), *VOTE_ONE, ("Confirm", "receipt")]
    await voter.run([*START_ENGLISH, *vote])
    await voter.run([("/forget", "Erase now?"), ("Yes, erase my data", "has been erased")])
    await voter.run([*START_ENGLISH, *vote])  # the letter's code casts the one ballot again
    async with sessions() as session:
        ballots = (await session.scalars(select(Ballot))).all()
    assert len(ballots) == 1 and ballots[0].voting_code_id is not None


async def test_forget_after_redeeming_but_before_voting_frees_the_code(
    seeded, chat, sessions
) -> None:
    (code,) = await voting_round_codes(seeded, sessions, 1)
    voter = chat("cecilia")
    await voter.run([*START_ENGLISH, ("/vote", "type the code"), (code, "Which area")])
    await voter.run([("/forget", "Erase now?"), ("Yes, erase my data", "has been erased")])
    await voter.run([*START_ENGLISH, ("/vote", "type the code"), (code, "Which area"), *VOTE_ONE])
    await voter.run([("Confirm", "receipt")])
    async with sessions() as session:
        assert len((await session.scalars(select(Ballot))).all()) == 1


KEY = code_key("dialog test secret")


async def issued_letters(
    seeded, sessions, count: int, phase: Phase = Phase.VOTING, area: int | None = None
) -> list[str]:
    """TOWN requiring voting codes, with a batch of ``count`` codes issued as in the admin
    (for the area at index ``area``, or the whole round)."""
    round_ = await seeded(phase)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Round).where(Round.id == round_.id).values(requires_voting_code=True)
        )
        staff = StaffUser(email="admin@sater.example", password_hash="-", role=StaffRole.ADMIN)
        session.add(staff)
        await session.flush()
        round_ = await load_round(session, round_.id)
        area_id = None if area is None else round_.areas[area].id
        batch, _issued = await issue_batch(session, staff, round_, area_id, count, "t" * 24, KEY)
        return [code for _n, code in await batch_codes(session, batch, KEY)]


async def revoke(sessions, code: str) -> None:
    async with sessions() as session, session.begin():
        round_ = (await session.scalars(select(Round).where(Round.requires_voting_code))).one()
        staff = (await session.scalars(select(StaffUser))).one()
        await revoke_code(session, staff, round_, code, utcnow())


async def test_a_letters_link_opens_the_chat_with_the_code_filled_in(
    seeded, chat, sessions
) -> None:
    first, second = await issued_letters(seeded, sessions, 2)
    newcomer = chat("dora", channel="telegram")
    await newcomer.run(
        [
            (f"/start code-{first}", "Which language do you prefer?"),
            ("English", ["Privacy:", "voting code is accepted", "Which area"]),
            *VOTE_ONE,
            ("Confirm", "receipt code"),
        ]
    )
    # someone already taking part opens the link of their letter
    regular = chat("erik")
    await regular.run([*START_ENGLISH, (f"/start code-{second}", "voting code is accepted")])
    # the same link again, by someone else: the code is used
    await chat("fia").run([*START_ENGLISH, (f"/start code-{first}", "already been used")])
    async with sessions() as session:
        used = (
            await session.scalars(select(VotingCode).where(VotingCode.redeemed_at.is_not(None)))
        ).all()
    assert len(used) == 2


async def test_a_revoked_code_is_refused_in_the_persons_language(seeded, chat, sessions) -> None:
    lost, voted, entered = await issued_letters(seeded, sessions, 3)
    voter = chat("gustav")
    await voter.run([*START_ENGLISH, ("/vote", "code"), (voted, "Which area"), *VOTE_ONE])
    await voter.run([("Confirm", "receipt")])
    waiting = chat("hanna")
    await waiting.run([*START_ENGLISH, ("/vote", "code"), (entered, "Which area")])
    for code in (lost, voted, entered):
        await revoke(sessions, code)
    swedish = chat("ida")
    await swedish.run(
        [
            ("/start", "Which language"),
            ("Svenska", "Säter"),
            ("/vote", "koden"),
            (lost, "återkallats"),
        ]
    )
    await chat("jamal").run(
        [("/start", "language"), ("العربية", "2027"), (f"/start code-{lost}", "ألغى الموظفون")]
    )
    # the one who entered a code but had not voted needs a new one
    await waiting.run([("/vote", ["has been revoked", "type the code"])])
    async with sessions() as session:
        ballots = (await session.scalars(select(Ballot))).all()
    assert len(ballots) == 1 and ballots[0].voting_code_id is not None  # the ballot stays


async def test_a_code_for_one_area_votes_there_only(seeded, chat, sessions) -> None:
    (code,) = await issued_letters(seeded, sessions, 1, area=1)
    voter = chat("kalle")
    await voter.run(
        [
            *START_ENGLISH,
            ("/vote", "type the code"),
            (
                code,
                ["voting code is accepted", "Your voting code is for Gustavsbo", "Choose your #1"],
            ),
        ]
    )
    async with sessions() as session:
        town = await load_round(
            session,
            (await session.scalars(select(Round.id).where(Round.requires_voting_code))).one(),
        )
    other = town.areas[0].id
    out = await voter.send(payload=f"vote:area:{other}")  # a forged or old area button
    assert "no longer active" in out
    await voter.run([("/vote", "Gustavsbo"), ("1", "Choose your #2"), ("Done", "Your ballot")])
    await voter.run([("Confirm", "receipt")])
    async with sessions() as session:
        (ballot,) = (await session.scalars(select(Ballot))).all()
    assert ballot.area_id == town.areas[1].id
