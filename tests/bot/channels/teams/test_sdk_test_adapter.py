"""The Teams agent driven by the SDK's own test harness (microsoft-agents-testing)."""

from __future__ import annotations

from collections.abc import Callable

from microsoft_agents.activity import Activity
from microsoft_agents.testing import TestAdapter, TestFlow
from sqlalchemy import select

from bot.app.bootstrap import teams_channel
from bot.channels.teams.channel import TeamsChannel
from budgeting.models import ChannelIdentity
from budgeting.phases import Phase
from budgeting.services.reachability import Reachability
from budgeting.settings import Settings
from dialogs.engine import DialogEngine


def card_saying(fragment: str) -> Callable[[Activity], None]:
    """A reply validator: an Adaptive Card containing ``fragment``."""

    def check(reply: Activity) -> None:
        [attachment] = reply.attachments or []
        texts = [b.get("text", "") for b in attachment.content["body"]]
        assert any(fragment in text for text in texts), texts

    return check


async def test_agent_under_the_sdk_test_adapter(seeded, sessions) -> None:
    await seeded(Phase.IDEAS)
    settings = Settings(_env_file=None, teams_app_id=None, teams_tenant_id=None)  # type: ignore[call-arg]
    channel = teams_channel(
        settings, DialogEngine(sessions).handle, Reachability(sessions, TeamsChannel.name)
    )
    adapter = TestAdapter(
        conversation=TestAdapter.create_conversation_model(
            channel_id="msteams", user_id="29:1test-user", user_name="Test Employee"
        )
    )
    flow = (
        TestFlow(adapter, channel.agent.on_turn)
        .send("/start")
        .assert_reply_contains("Welcome to budgetbot")
        .send("English")
        .assert_reply("Language set to English.")
        .assert_reply_contains("Privacy:")
        .assert_reply(card_saying("You are taking part in: Employee budget"))
        .assert_no_more_replies()
    )
    await flow.start_test()
    async with sessions() as session:
        identity = (await session.scalars(select(ChannelIdentity))).one()
    assert identity.external_id == "29:1test-user"  # local mode: the channel's user id
    assert identity.conversation_ref["conversation"]["id"] == "convo1"
