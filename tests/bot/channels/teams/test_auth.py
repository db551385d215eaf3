"""With an app id configured, only requests signed by the Bot Connector get in.

Tokens are signed with a key published by the fake Microsoft identity (the SDK fetches it
from login.botframework.com as it would in production); the bot's own outbound token comes
from MSAL's client-credentials request to the fake login.microsoftonline.com.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.channels.contract import SendOutcome
from bot.channels.teams.auth import teams_enabled
from budgeting.models import ChannelIdentity, Participant, ProcessedUpdate
from budgeting.phases import Phase
from budgeting.settings import Settings
from dialogs.types import Reply
from tests.bot.channels.teams.harness import APP_ID, APP_PASSWORD, TENANT, TeamsBot, TeamsUser
from tests.fakes.microsoft_identity import ACCESS_TOKEN, FakeMicrosoftIdentity

SECURED = {"teams_app_id": APP_ID, "teams_app_password": APP_PASSWORD, "teams_tenant_id": TENANT}
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

BadHeader = Callable[[FakeMicrosoftIdentity, str], str | None]


def _forged(ms: FakeMicrosoftIdentity, url: str) -> str:
    payload = jwt.decode(ms.channel_token(APP_ID, url), options={"verify_signature": False})
    return "Bearer " + jwt.encode(payload, OTHER_KEY, algorithm="RS256", headers={"kid": ms.kid})


BAD_HEADERS: dict[str, BadHeader] = {
    "no header": lambda ms, url: None,
    "not bearer": lambda ms, url: "Basic dXNlcjpwYXNz",
    "not a JWT": lambda ms, url: "Bearer not-a-token",
    "signed by another key": _forged,
    "unknown key id": lambda ms, url: (
        "Bearer "
        + jwt.encode(
            {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": time.time() + 60},
            OTHER_KEY,
            algorithm="RS256",
            headers={"kid": "some-other-key"},
        )
    ),
    "for another bot": lambda ms, url: "Bearer " + ms.channel_token("another-app-id", url),
    "expired": lambda ms, url: (
        "Bearer "
        + ms.channel_token(APP_ID, url, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)
    ),
    "for another service URL": lambda ms, url: (
        "Bearer " + ms.channel_token(APP_ID, "https://smba.trafficmanager.net/emea/")
    ),
}


async def nothing_stored(bot: TeamsBot) -> None:
    assert await bot.count(Participant) == 0
    assert await bot.count(ChannelIdentity) == 0
    assert await bot.count(ProcessedUpdate) == 0
    assert bot.connector.deliveries == []


@pytest.mark.parametrize("case", list(BAD_HEADERS))
async def test_request_without_a_valid_token_is_refused(
    case: str, teams, microsoft: FakeMicrosoftIdentity
) -> None:
    bot = teams(**SECURED)
    user = TeamsUser(bot)
    header = BAD_HEADERS[case](microsoft, bot.connector.url)
    response = await bot.client.post(
        "/api/messages",
        json=user.activity(text="/start"),
        headers={"Authorization": header} if header else {},
    )
    assert response.status_code == 401
    await nothing_stored(bot)


async def test_signed_request_is_served_with_the_bots_own_token(
    seeded, teams, microsoft: FakeMicrosoftIdentity
) -> None:
    await seeded(Phase.IDEAS)
    bot = teams(**SECURED)
    user = TeamsUser(bot, token=lambda: microsoft.channel_token(APP_ID, bot.connector.url))
    await user.run(
        [
            ("/start", "[English]"),
            ("[English]", "Employee budget, Health and social care"),
            ("[Propose an idea]", "Give your idea a short title"),
        ]
    )
    assert await bot.count(ChannelIdentity) == 1
    assert {d.authorization for d in bot.connector.deliveries} == {f"Bearer {ACCESS_TOKEN}"}
    request = microsoft.token_requests[0]
    assert request["tenant"] == TENANT
    assert request["grant_type"] == "client_credentials"
    assert request["client_id"] == APP_ID and request["client_secret"] == APP_PASSWORD
    assert request["scope"].split()[0] == "https://api.botframework.com/.default"

    before = len(bot.connector.deliveries)
    assert await bot.channel.send(user.aad_id, [Reply("Reminder")]) == SendOutcome.SENT
    [reminder] = bot.connector.deliveries[before:]
    assert reminder.authorization == f"Bearer {ACCESS_TOKEN}"
    assert reminder.activity["text"] == "Reminder"


async def test_app_id_without_password_is_a_configuration_error(teams) -> None:
    with pytest.raises(ValueError, match="BUDGETBOT_TEAMS_APP_PASSWORD"):
        teams(teams_app_id=APP_ID)


async def test_local_mode_answers_loopback_callers_only(teams) -> None:
    bot = teams()
    user = TeamsUser(bot)
    transport = httpx.ASGITransport(app=bot.app, client=("203.0.113.5", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://budgetbot.test") as remote:
        response = await remote.post("/api/messages", json=user.activity(text="/start"))
    assert response.status_code == 401
    await nothing_stored(bot)


async def test_local_mode_refuses_what_a_proxy_forwarded(teams) -> None:
    """Behind a reverse proxy on the same machine every request comes from loopback; one
    that carries a proxy's header came from elsewhere, trusted proxy or not."""
    for proxies in ([], ["127.0.0.1"]):
        bot = teams(trusted_proxies=proxies)
        user = TeamsUser(bot)
        for header in ({"X-Forwarded-For": "203.0.113.5"}, {"Forwarded": "for=203.0.113.5"}):
            response = await bot.client.post(
                "/api/messages", json=user.activity(text="/start"), headers=header
            )
            assert response.status_code == 401
    await nothing_stored(bot)


def test_teams_is_served_with_an_app_id_or_on_loopback_only() -> None:
    def settings(**values: str | None) -> Settings:
        return Settings(_env_file=None, **{"teams_app_id": None, **values})  # type: ignore[call-arg]

    assert teams_enabled(settings(host="127.0.0.1"))
    assert teams_enabled(settings(host="localhost"))
    assert not teams_enabled(settings(host="0.0.0.0"))
    assert teams_enabled(settings(host="0.0.0.0", teams_app_id=APP_ID))


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", "{}", '{"type": "message", "conversation": {"id": ""}}'],
)
async def test_malformed_requests_are_bad_requests(body: str, teams) -> None:
    bot = teams()
    response = await bot.client.post(
        "/api/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    await nothing_stored(bot)


async def test_other_activities_are_accepted_and_ignored(teams) -> None:
    bot = teams()
    user = TeamsUser(bot)
    installed = user.activity(
        type="conversationUpdate",
        membersAdded=[{"id": "28:bot"}, {"id": f"29:1{user.aad_id}"}],
    )
    assert (await user.post(installed)).status_code == 202
    await nothing_stored(bot)
