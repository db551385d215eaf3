"""A round split by theme or by group (issue 18), through the chat.

TOWN's three areas act as themes or groups here, renamed: with "each theme" a person has
one ballot per theme and replacing one keeps the others; a group is declared once and a
group may need a voting code issued for it. Each part is counted on its own.
"""

from __future__ import annotations

from sqlalchemy import select, update

from budgeting.models import (
    Area,
    Audience,
    Ballot,
    GroupMembership,
    Participant,
    Round,
    StaffRole,
    StaffUser,
)
from budgeting.phases import Phase
from budgeting.services import ballots as ballot_service
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import load_round
from budgeting.services.staff.voting_codes import batch_codes, code_key, issue_batch
from budgeting.services.voting_codes import generate_codes
from tests.builders import put_in_phase
from tests.dialogs.transcripts import START_ENGLISH

KEY = code_key("split test secret")
THEMES = ("Play and sport", "Culture", "Nature")
GROUPS = ("Young people 13–19", "Seniors", "Everyone else")


async def split_round(
    seeded, sessions, kind: str, names: tuple[str, ...], phase: Phase = Phase.VOTING, **settings
) -> Round:
    """TOWN in ``phase``, split by ``kind``, its parts renamed to ``names``."""
    round_ = await seeded(phase)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Round).where(Round.id == round_.id).values(split_kind=kind, **settings)
        )
        areas = (
            await session.scalars(
                select(Area).where(Area.round_id == round_.id).order_by(Area.position)
            )
        ).all()
        for area, name in zip(areas, names, strict=True):
            area.texts = {"sv": {"name": name}, "en": {"name": name}}
    return round_


async def play(chat, steps) -> None:
    """Like ``Chat.run``; a message ``#N`` presses the button of proposal N."""
    for message, expected in steps:
        if message.startswith("#"):
            out = await chat.send(payload=chat.payload_of(message + " "))
            for fragment in [expected] if isinstance(expected, str) else expected:
                assert fragment in out, f"after {message} expected {fragment!r} in:\n{out}"
        else:
            await chat.run([(message, expected)])


async def stored_ballots(sessions, user: str) -> dict[str, tuple[str, list[int]]]:
    """The person's ballots: theme name -> (receipt, ranked proposal ids)."""
    async with sessions() as session:
        participant = await session.scalar(
            select(Participant).where(Participant.display_name == user)
        )
        found = (
            await session.scalars(select(Ballot).where(Ballot.participant_id == participant.id))
        ).all()
        names = {a.id: a.texts["en"]["name"] for a in (await session.scalars(select(Area))).all()}
        return {names[b.area_id]: (b.receipt_code, [r.proposal_id for r in b.ranks]) for b in found}


async def test_a_person_votes_in_two_themes_and_replaces_one(seeded, chat, sessions, clock):
    round_ = await split_round(seeded, sessions, "theme", THEMES, one_ballot_per_part=True)
    voter = chat("tove")
    await play(
        voter,
        [
            *START_ENGLISH,
            ("/vote", ["You can vote in each theme", "Which theme do you want to vote on?"]),
            ("Play and sport", ["Rank up to 3 projects in Play and sport", "Choose your #1"]),
            ("#2", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", ["Theme: Play and sport", "receipt code"]),
            ("/vote", "Which theme do you want to vote on?"),
            ("Culture", "Choose your #1"),
            ("#7", "Choose your #2"),
            ("#8", "Choose your #3"),
            ("Done", "Cast this ballot?"),
        ],
    )
    assert "replaces" not in voter.transcript[-1][1]  # a first ballot in this theme
    await play(voter, [("Confirm", ["Theme: Culture", "receipt code"])])
    first = await stored_ballots(sessions, "tove")
    assert {name: ids for name, (_code, ids) in first.items()} == {
        "Play and sport": [2],
        "Culture": [7, 8],
    }
    # a new ballot in one theme replaces only that theme's ballot
    play_receipt = first["Play and sport"][0]
    await play(
        voter,
        [
            ("/vote", "Which theme"),
            (
                "Play and sport",
                [
                    f"You have already voted in Play and sport (receipt {play_receipt})",
                    "other themes stay",
                ],
            ),
            ("#3", "Choose your #2"),
            ("#4", "Choose your #3"),
            ("Done", "Confirming replaces the ballot you cast earlier."),
            ("Confirm", "Theme: Play and sport"),
        ],
    )
    second = await stored_ballots(sessions, "tove")
    assert second["Culture"] == first["Culture"]  # untouched, same receipt
    assert second["Play and sport"][1] == [3, 4] and second["Play and sport"][0] != play_receipt
    out = await voter.send("/verify")
    assert "Your ballot as stored (Theme: Play and sport):" in out
    assert "Your ballot as stored (Theme: Culture):" in out
    assert second["Culture"][0] in out and second["Play and sport"][0] in out

    # counted in its theme: each theme's count holds this person's ballot once
    async with sessions() as session, session.begin():
        loaded = await load_round(session, round_.id)
        await put_in_phase(session, loaded, Phase.DECISION, clock.now)
    out = await voter.send("/results")
    assert "Theme: Play and sport — budget" in out and "Theme: Culture — budget" in out
    assert "Theme: Nature — budget" in out and "Area" not in out
    story = await voter.send(payload=voter.payload_of("Your ballot"))
    assert "Theme: Play and sport\nYour ballot and what became of it:\n1. #3" in story
    assert "Theme: Culture\nYour ballot and what became of it:\n1. #7" in story


async def test_one_theme_only_a_new_ballot_replaces_the_other_theme(seeded, chat, sessions):
    await split_round(seeded, sessions, "theme", THEMES)
    voter = chat("ulla")
    await play(
        voter,
        [
            *START_ENGLISH,
            ("/vote", "You vote on the projects of one theme. Which theme do you want to vote on?"),
            ("Play and sport", "Choose your #1"),
            ("#2", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", "Theme: Play and sport"),
            ("/vote", ["You have already voted", "replaces the old one", "Which theme"]),
            ("Culture", "Choose your #1"),
            ("#7", "Choose your #2"),
            ("Done", "Confirming replaces the ballot you cast earlier."),
            ("Confirm", "Theme: Culture"),
        ],
    )
    assert {n: ids for n, (_c, ids) in (await stored_ballots(sessions, "ulla")).items()} == {
        "Culture": [7]
    }


async def test_a_group_is_declared_once(seeded, chat, sessions, clock):
    round_ = await split_round(seeded, sessions, "group", GROUPS)
    voter = chat("vera")
    await play(
        voter,
        [
            *START_ENGLISH,
            ("/vote", ["Which group do you belong to?", "You answer this once"]),
            ("Seniors", "Choose your #1"),
            ("#6", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", ["Group: Seniors", "receipt code"]),
            (
                "/vote",
                ["You have already voted", "You vote in your group: Seniors.", "Choose your #1"],
            ),
        ],
    )
    assert "Which group" not in voter.transcript[-1][1]
    async with sessions() as session:
        young = await session.scalar(
            select(Area.id).where(Area.round_id == round_.id, Area.position == 0)
        )
    # an old group button (or a forged one) does not change the group
    assert "no longer active" in await voter.send(payload=f"vote:area:{young}")
    async with sessions() as session:
        members = (await session.scalars(select(GroupMembership))).all()
        participant = await session.get(Participant, members[0].participant_id)
        loaded = await load_round(session, round_.id)
        try:
            await ballot_service.cast_ballot(session, loaded, participant, young, [2], clock.now)
        except RuleViolation as refused:
            assert refused.code == "not_your_group"
        else:
            raise AssertionError("a ballot in another group was accepted")
    assert [(m.round_id, m.participant_id) for m in members] == [(round_.id, participant.id)]
    assert {n: ids for n, (_c, ids) in (await stored_ballots(sessions, "vera")).items()} == {
        "Seniors": [6]
    }
    out = await voter.send("/verify")
    assert "Your ballot as stored (Group: Seniors):" in out
    assert "Groups you said you belong to: Seniors" in await voter.send("/mydata")


async def test_a_group_may_need_a_code_issued_for_it(seeded, chat, sessions):
    round_ = await split_round(seeded, sessions, "group", GROUPS)
    async with sessions() as session, session.begin():
        areas = (
            await session.scalars(
                select(Area).where(Area.round_id == round_.id).order_by(Area.position)
            )
        ).all()
        areas[0].requires_voting_code = True
        loaded = await load_round(session, round_.id)
        staff = StaffUser(email="admin@sater.example", password_hash="-", role=StaffRole.ADMIN)
        session.add(staff)
        await session.flush()
        letters = {}
        for n, area in enumerate(areas[:2]):
            batch, _new = await issue_batch(session, staff, loaded, area.id, 1, f"{n}" * 24, KEY)
            letters[area.id] = (await batch_codes(session, batch, KEY))[0][1]
        young_code, senior_code = letters[areas[0].id], letters[areas[1].id]
    young = chat("wilma")
    await play(
        young,
        [
            *START_ENGLISH,
            ("/vote", "Which group do you belong to?"),
            ("Young people 13–19", "type the code from your letter"),
            (senior_code, "Your voting code is for another area."),
            (young_code, ["voting code is accepted", "Choose your #1"]),
            ("#2", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", ["Group: Young people 13–19", "receipt code"]),
        ],
    )
    senior = chat("xerxes")  # the seniors' group needs no code
    await play(
        senior,
        [
            *START_ENGLISH,
            ("/vote", "Which group"),
            ("Seniors", "Choose your #1"),
            ("#7", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", "Group: Seniors"),
        ],
    )
    async with sessions() as session:
        cast = {b.area_id: b.voting_code_id for b in (await session.scalars(select(Ballot))).all()}
    assert cast[areas[0].id] is not None and cast[areas[1].id] is None


async def test_employees_are_asked_for_their_group_at_work(seeded, chat, sessions):
    round_ = await split_round(seeded, sessions, "group", GROUPS)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Round).where(Round.id == round_.id).values(audience=Audience.EMPLOYEES)
        )
    employee = chat("yusuf", channel="teams")
    await employee.run(
        [
            ("/start", "Which language"),
            ("English", "Which round do you want to take part in?"),
            ("Säter participatory budget 2027", "You are taking part in"),
            (
                "/vote",
                "Each group of employees votes on its own projects. Which group do you work in?",
            ),
        ]
    )


async def test_an_idea_is_filed_under_a_theme(seeded, chat, sessions):
    await split_round(seeded, sessions, "theme", THEMES, Phase.IDEAS)
    author = chat("zara")
    await author.run(
        [
            *START_ENGLISH,
            ("/propose", "Which theme is your idea for?"),
            ("Culture", "Theme: Culture. Give your idea a short title"),
            ("/about", "[Budget and themes]"),
            ("Budget and themes", ["shared between the themes:", "• Culture: 250"]),
        ]
    )


async def test_one_voting_code_backs_a_ballot_in_each_theme(seeded, chat, sessions):
    round_ = await split_round(
        seeded, sessions, "theme", THEMES, one_ballot_per_part=True, requires_voting_code=True
    )
    async with sessions() as session, session.begin():
        (code,) = await generate_codes(session, await load_round(session, round_.id), 1)
    voter = chat("agnes")
    await play(
        voter,
        [
            *START_ENGLISH,
            ("/vote", "type the code from your letter"),
            (code, ["voting code is accepted", "Which theme"]),
            ("Play and sport", "Choose your #1"),
            ("#2", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", "receipt code"),
            ("/vote", "Which theme"),  # the code is not asked for again
            ("Culture", "Choose your #1"),
            ("#7", "Choose your #2"),
            ("Done", "Cast this ballot?"),
            ("Confirm", "receipt code"),
        ],
    )
    async with sessions() as session:
        cast = (await session.scalars(select(Ballot))).all()
    assert len(cast) == 2 and len({b.voting_code_id for b in cast}) == 1
    assert {b.slot for b in cast} == {b.area_id for b in cast}
