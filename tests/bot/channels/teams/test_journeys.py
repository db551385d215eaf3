"""An employee takes part in the medarbetarbudget from Teams: idea, ranked vote, reminder."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.channels.contract import SendOutcome
from bot.delivery.replies import ReplyOutbox
from budgeting.models import (
    Ballot,
    ChannelIdentity,
    OutgoingReply,
    Participant,
    ProcessedUpdate,
    Proposal,
    ProposalStatus,
    Round,
    utcnow,
)
from budgeting.phases import Phase
from dialogs.types import Button, Reply
from tests.bot.channels.teams.harness import BOT_ID, TENANT, TeamsUser, card_buttons, rendered
from tests.rounds import WORKPLACE

START_ENGLISH = [
    ("/start", ["Welcome to budgetbot", "[English]"]),
    (
        "[English]",
        [
            "Language set to English.",
            "You are taking part in: Employee budget, Health and social care.",
            "[Propose an idea]",
        ],
    ),
]


async def identity_of(sessions, aad_id: str) -> ChannelIdentity:
    async with sessions() as session:
        return (
            await session.scalars(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == "teams", ChannelIdentity.external_id == aad_id
                )
            )
        ).one()


async def test_employee_submits_an_idea(seeded, teams, sessions) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=TENANT)
    anna = TeamsUser(bot)
    await anna.run(
        [
            *START_ENGLISH,
            ("[Propose an idea]", "Give your idea a short title"),
            ("Quieter staff room", "Describe your idea"),
            ("Sound-absorbing panels so we can rest during breaks.", "Roughly what would it cost"),
            ("40000", ["Please check your idea", "Title: Quieter staff room", "[Submit]"]),
            ("[Submit]", "has been submitted"),
        ]
    )
    async with sessions() as session:
        proposal = (
            await session.scalars(select(Proposal).where(Proposal.title == "Quieter staff room"))
        ).one()
        round_ = await session.get(Round, proposal.round_id)
        author = await session.get(Participant, proposal.author_id)
    assert round_.slug == WORKPLACE.slug
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.estimated_cost == 40_000
    assert author.display_name == "Anna Andersson"
    identity = await identity_of(sessions, anna.aad_id)
    assert identity.participant_id == author.id
    assert identity.conversation_ref["conversation"]["id"] == anna.conversation_id
    assert identity.conversation_ref["serviceUrl"] == bot.connector.url
    assert "activityId" not in identity.conversation_ref
    # every reply went to the user's conversation, as a reply to their message
    assert {d.conversation_id for d in bot.connector.deliveries} == {anna.conversation_id}
    assert all(d.activity["from"]["id"] == BOT_ID for d in bot.connector.deliveries)


async def test_teams_offers_only_the_employees_round(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    erik = TeamsUser(teams(), locale="sv-SE")
    out = await erik.say("/start")
    assert "Välkommen" in out  # the Teams locale is the first guess
    out = await erik.press("Svenska")
    assert "Medarbetarbudget Vård och omsorg" in out
    assert "Medborgarbudget" not in out


async def test_employee_votes_with_a_ranked_ballot_card(seeded, teams, sessions) -> None:
    await seeded(Phase.VOTING)
    bot = teams(teams_tenant_id=TENANT)
    bo = TeamsUser(bot, name="Bo Berg")
    await bo.run(START_ENGLISH[:1] + [("[English]", "[Vote]")])
    menu = bo.last[-1]
    out = await bo.press("Vote")
    assert "Rank up to 3 projects" in out and "Choose your #1:" in out
    # the ballot builder takes the place of the card whose button was pressed
    assert [(d.method, d.activity_id) for d in bo.last] == [("PUT", menu.activity_id)]
    picks = []
    for rank in (1, 2, 3):
        payload, title = card_buttons(bo.last[0])[0]
        assert payload.startswith("vote:pick:") and title.startswith("#"), (rank, title)
        picks.append(int(payload.split(":")[2]))
        out = await bo.submit(payload, bo.last[0].activity_id)
        assert [(d.method, d.activity_id) for d in bo.last] == [("PUT", menu.activity_id)]
    assert "Your ballot:" in out and "(1 point)" in out and "Cast this ballot?" in out
    out = await bo.press("Confirm")
    assert [d.method for d in bo.last] == ["POST"]
    code = re.search(r"receipt code: (\w{4}-\w{4}-\w{4})", out).group(1)
    async with sessions() as session:
        ballot = (await session.scalars(select(Ballot).where(Ballot.receipt_code == code))).one()
        voter = await session.get(Participant, ballot.participant_id)
    assert [r.proposal_id for r in ballot.ranks] == picks
    assert voter.display_name == "Bo Berg"


async def test_card_is_sent_anew_when_teams_will_not_update_it(seeded, teams) -> None:
    await seeded(Phase.VOTING)
    bot = teams()
    cia = TeamsUser(bot)
    await cia.run(START_ENGLISH[:1] + [("[English]", "[Vote]")])
    bot.connector.fail_updates.add(cia.conversation_id)
    out = await cia.press("Vote")
    assert "Choose your #1:" in out
    assert [d.method for d in cia.last] == ["POST"]


async def test_reminder_arrives_proactively(seeded, teams, sessions) -> None:
    await seeded(Phase.VOTING)
    bot = teams(teams_tenant_id=TENANT)
    cia = TeamsUser(bot, name="Cia Carlsson")
    await cia.run(START_ENGLISH[:1] + [("[English]", "[Vote]")])
    before = len(bot.connector.deliveries)
    reminder = Reply(
        "Reminder: voting closes on Friday. You have not voted yet.",
        buttons=((Button("Vote", "vote"),),),
    )
    outcome = await bot.channel.send(cia.aad_id, [reminder])
    assert outcome == SendOutcome.SENT
    [delivery] = bot.connector.deliveries[before:]
    assert delivery.method == "POST" and delivery.conversation_id == cia.conversation_id
    assert delivery.activity["text"].startswith("Reminder: voting closes")
    assert delivery.activity["recipient"]["aadObjectId"] == cia.aad_id
    assert "replyToId" not in delivery.activity
    # the reminder's button works like any other
    cia.last = [delivery]
    out = await cia.press("Vote")
    assert "Choose your #1:" in out


async def test_send_to_unknown_or_blocked_users(seeded, teams) -> None:
    await seeded(Phase.VOTING)
    bot = teams()
    dan = TeamsUser(bot)
    await dan.say("/start")
    assert await bot.channel.send("no-such-user", [Reply("Hello")]) == SendOutcome.UNREACHABLE
    bot.connector.fail[dan.conversation_id] = 403
    assert await bot.channel.send(dan.aad_id, [Reply("Hello")]) == SendOutcome.UNREACHABLE
    bot.connector.fail[dan.conversation_id] = 503
    assert await bot.channel.send(dan.aad_id, [Reply("Hello")]) == SendOutcome.FAILED


async def test_redelivered_activity_is_a_no_op(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()
    eva = TeamsUser(bot)
    first = eva.activity(text="/start")
    assert (await eva.post(first)).status_code == 202
    assert eva.last
    assert (await eva.post(first)).status_code == 202
    assert eva.last == []
    assert await bot.count(ProcessedUpdate) == 1
    # Teams message ids are timestamps: the same id in another conversation is a new message
    other = TeamsUser(bot)
    assert (await other.post(other.activity(text="/start", id=first["id"]))).status_code == 202
    assert other.last
    assert await bot.count(ProcessedUpdate) == 2


async def test_forget_erases_the_conversation_reference_too(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()
    fia = TeamsUser(bot)
    await fia.run(
        [
            *START_ENGLISH,
            ("/forget", "Erase now?"),
            ("[Yes, erase my data]", "Your personal data has been erased"),
        ]
    )
    assert await bot.count(ChannelIdentity) == 0
    assert await bot.channel.send(fia.aad_id, [Reply("Hello")]) == SendOutcome.UNREACHABLE


async def test_connector_outage_while_replying_is_logged_without_personal_data(
    seeded, teams, caplog
) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()
    gun = TeamsUser(bot, name="Gun Personsson")
    await gun.run(START_ENGLISH)
    bot.connector.fail[gun.conversation_id] = 500
    response = await gun.post(gun.activity(text="/mydata"))
    assert response.status_code == 202
    assert "Teams reply not sent (ClientResponseError); it will be tried again" in caplog.text
    assert "Gun Personsson" not in caplog.text and gun.aad_id not in caplog.text


async def test_a_reply_lost_to_a_connector_outage_is_sent_later_from_storage(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()
    gun = TeamsUser(bot, name="Gun Personsson")
    await gun.run(START_ENGLISH)
    bot.connector.fail[gun.conversation_id] = 500
    assert (await gun.post(gun.activity(text="/mydata"))).status_code == 202
    async with bot.sessions() as session:
        [row] = (await session.scalars(select(OutgoingReply))).all()
    assert (row.channel, row.recipient, row.attempts, row.owner) == ("teams", gun.aad_id, 1, None)
    assert row.address["reference"]["conversation"]["id"] == gun.conversation_id

    del bot.connector.fail[gun.conversation_id]  # later, any worker process sends it
    later = ReplyOutbox(bot.sessions, clock=lambda: utcnow() + timedelta(minutes=1))
    before = len(bot.connector.to(gun.conversation_id))
    try:
        assert await later.sweep({"teams": bot.channel}) == 1
        await later.drain()
    finally:
        await later.close()
    resent = bot.connector.to(gun.conversation_id)[before:]
    assert [d.method for d in resent] == ["POST"]
    assert "Gun Personsson" in rendered(resent)  # /mydata shows what is stored about her
    assert await bot.count(OutgoingReply) == 0
