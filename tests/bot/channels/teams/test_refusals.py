"""Who may not take part from Teams: other tenants, group chats, unidentified users.

A refused message gets a clear answer and nothing is stored: no participant, no channel
identity, no conversation reference, not even the processed-update key.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from budgeting.models import ChannelIdentity, Participant, ProcessedUpdate
from budgeting.phases import Phase
from tests.bot.channels.teams.harness import (
    APP_ID,
    APP_PASSWORD,
    OTHER_TENANT,
    TENANT,
    TeamsBot,
    TeamsUser,
)
from tests.fakes.microsoft_identity import FakeMicrosoftIdentity

SEEDED_PARTICIPANTS = 3
NOT_YOUR_ORGANISATION = "only for employees of the organisations taking part"
ALLOWED = f"{OTHER_TENANT.upper()} , {TENANT}"  # a list, spaces and case as typed by staff


async def nothing_stored(bot: TeamsBot) -> None:
    assert await bot.count(Participant) == SEEDED_PARTICIPANTS
    assert await bot.count(ChannelIdentity) == 0
    assert await bot.count(ProcessedUpdate) == 0


@pytest.fixture(params=["local", "secured"])
def restricted(request: pytest.FixtureRequest, teams) -> tuple[TeamsBot, dict]:
    """A bot restricted to TENANT, in anonymous local mode or with JWT validation."""
    if request.param == "local":
        return teams(teams_tenant_id=TENANT), {}
    microsoft: FakeMicrosoftIdentity = request.getfixturevalue("microsoft")
    bot = teams(teams_app_id=APP_ID, teams_app_password=APP_PASSWORD, teams_tenant_id=TENANT)
    return bot, {"token": lambda: microsoft.channel_token(APP_ID, bot.connector.url)}


async def test_user_from_another_tenant_is_refused(seeded, restricted) -> None:
    await seeded(Phase.IDEAS)
    bot, auth = restricted
    outsider = TeamsUser(bot, tenant=OTHER_TENANT, **auth)
    out = await outsider.say("/start")
    assert NOT_YOUR_ORGANISATION in out and "nothing about you has been stored" in out
    out = await outsider.say("/propose")
    assert NOT_YOUR_ORGANISATION in out
    await nothing_stored(bot)
    colleague = TeamsUser(bot, tenant=TENANT, **auth)
    assert "Welcome to budgetbot" in await colleague.say("/start")


async def test_activity_without_a_tenant_is_refused_when_restricted(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=TENANT)
    assert NOT_YOUR_ORGANISATION in await TeamsUser(bot, tenant=None).say("/start")
    await nothing_stored(bot)


async def test_every_tenant_the_activity_names_must_be_allowed(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=TENANT)
    user = TeamsUser(bot)
    mixed = user.activity(text="/start", channelData={"tenant": {"id": OTHER_TENANT}})
    assert (await user.post(mixed)).status_code == 202
    assert NOT_YOUR_ORGANISATION in user.replies()
    await nothing_stored(bot)


async def test_tenant_list_and_channel_data_tenant(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=ALLOWED)
    user = TeamsUser(bot, tenant=None)
    teams_only = user.activity(text="/start", channelData={"tenant": {"id": OTHER_TENANT}})
    assert (await user.post(teams_only)).status_code == 202
    assert "Welcome to budgetbot" in user.replies()


async def test_without_a_tenant_setting_any_tenant_may_take_part(seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    assert "Welcome" in await TeamsUser(teams(), tenant=OTHER_TENANT).say("/start")


@pytest.mark.parametrize("kind", ["groupChat", "channel"])
async def test_group_chats_and_channels_are_refused(kind: str, seeded, teams) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_tenant_id=TENANT)
    out = await TeamsUser(bot, conversation_type=kind).say("/start")
    assert "one-to-one chat" in out
    await nothing_stored(bot)


async def test_secured_mode_needs_the_entra_object_id(seeded, teams, microsoft) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(teams_app_id=APP_ID, teams_app_password=APP_PASSWORD)
    user = TeamsUser(bot, token=lambda: microsoft.channel_token(APP_ID, bot.connector.url))
    anonymous_sender = {"id": "29:1xyz", "name": "Someone"}
    assert (await user.post(user.activity(text="/start", **{"from": anonymous_sender}))).is_success
    assert "could not tell who you are" in user.replies()
    await nothing_stored(bot)


async def test_local_mode_falls_back_to_the_channel_user_id(seeded, teams, sessions) -> None:
    await seeded(Phase.IDEAS)
    bot = teams()
    user = TeamsUser(bot)
    playground_sender = {"id": "user-id-0", "name": "Playground user"}
    assert (await user.post(user.activity(text="/start", **{"from": playground_sender}))).is_success
    assert "Welcome" in user.replies()
    async with sessions() as session:
        identity = (await session.scalars(select(ChannelIdentity))).one()
    assert (identity.channel, identity.external_id) == ("teams", "user-id-0")
