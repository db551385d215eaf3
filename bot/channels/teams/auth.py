"""Teams settings and request authentication (Microsoft 365 Agents SDK).

With an app id configured, every request to ``/api/messages`` must carry a Bot Connector
JWT the SDK's validator accepts (signature from Microsoft's published keys, audience = our
app id). Without an app id the channel runs in anonymous local mode (Agents Playground).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from fastapi import Request
from jwt import PyJWTError
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AuthenticationConstants,
    AuthTypes,
    ClaimsIdentity,
    JwtTokenValidator,
)
from microsoft_agents.hosting.fastapi import CloudAdapter

from budgeting.settings import Settings

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"localhost"})
MULTI_TENANT_AUTHORITY = "botframework.com"
"""The token tenant of a multi-tenant bot registration (used when no tenant is configured)."""


def parse_tenant_ids(value: str | None) -> tuple[str, ...]:
    """``"a, B"`` → ``("a", "b")``: comma-separated tenant ids, lower-cased, blanks dropped."""
    return tuple(part.strip().lower() for part in (value or "").split(",") if part.strip())


@dataclass(frozen=True)
class TeamsConfig:
    """The three ``BUDGETBOT_TEAMS_*`` settings, parsed once."""

    app_id: str | None = None
    app_password: str | None = None
    tenant_ids: tuple[str, ...] = ()
    """Entra tenants whose users may take part; empty means any. The first one is the
    app registration's home tenant (where the bot gets its own tokens)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamsConfig:
        """Read the settings; an app id without a password is a configuration error."""
        config = cls(
            app_id=settings.teams_app_id or None,
            app_password=settings.teams_app_password or None,
            tenant_ids=parse_tenant_ids(settings.teams_tenant_id),
        )
        if config.app_id and not config.app_password:
            raise ValueError("BUDGETBOT_TEAMS_APP_PASSWORD is required with BUDGETBOT_TEAMS_APP_ID")
        return config

    @property
    def anonymous(self) -> bool:
        """True in local mode: no app id, no JWT validation, no outbound tokens."""
        return not self.app_id


def is_loopback(host: str | None) -> bool:
    """True for a loopback address or ``localhost``: the only callers local mode accepts."""
    if not host:
        return False
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def local_caller(request: Request) -> bool:
    """True for a request made on this machine: from loopback (``request.client``, as the
    app settled it from ``BUDGETBOT_TRUSTED_PROXIES``) and not forwarded by a proxy or a
    tunnel, which would make local mode reachable from anywhere."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    return is_loopback(request.client.host if request.client else None)


def teams_enabled(settings: Settings) -> bool:
    """Serve Teams when an app id is configured, or anonymously when bound to loopback only."""
    return bool(settings.teams_app_id) or is_loopback(settings.host)


def auth_configuration(config: TeamsConfig) -> AgentAuthConfiguration:
    """The SDK's view of our settings: client secret auth, or anonymous in local mode."""
    if config.anonymous:
        return AgentAuthConfiguration(anonymous_allowed=True)
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=config.app_id,
        client_secret=config.app_password,
        tenant_id=config.tenant_ids[0] if config.tenant_ids else MULTI_TENANT_AUTHORITY,
        anonymous_allowed=False,
    )


def cloud_adapter(auth: AgentAuthConfiguration) -> CloudAdapter:
    """The SDK adapter; it gets outbound tokens through MSAL with our app's credentials."""
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth})
    return CloudAdapter(connection_manager=connections)


async def authenticate(
    auth: AgentAuthConfiguration, authorization: str | None
) -> ClaimsIdentity | None:
    """The caller's claims, or None if the request must be refused (401)."""
    if auth.ANONYMOUS_ALLOWED:
        return ClaimsIdentity()
    scheme, _sep, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        log.warning("Teams request refused: no bearer token")
        return None
    try:
        return await JwtTokenValidator(auth).validate_token(token.strip())
    except (PyJWTError, ValueError, KeyError, TypeError) as error:
        log.warning("Teams request refused: %s", type(error).__name__)
        return None


def service_url_matches(claims: ClaimsIdentity, service_url: object) -> bool:
    """A Bot Connector token names the service URL it was issued for; the activity must match.

    Otherwise a replayed token could make us send our own access token elsewhere.
    """
    claimed = claims.get_claim_value(AuthenticationConstants.SERVICE_URL_CLAIM)
    if not claimed:
        return True
    if not isinstance(service_url, str) or not isinstance(claimed, str):
        return False
    return claimed.rstrip("/").casefold() == service_url.rstrip("/").casefold()


__all__ = [
    "TeamsConfig",
    "auth_configuration",
    "authenticate",
    "cloud_adapter",
    "is_loopback",
    "parse_tenant_ids",
    "service_url_matches",
    "teams_enabled",
]
