"""Runtime settings, read from the environment (prefix ``BUDGETBOT_``) or ``.env``."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob an operator can turn; see the README for what each one does."""

    model_config = SettingsConfigDict(env_prefix="BUDGETBOT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./budgetbot.sqlite3"
    telegram_token: str | None = None
    telegram_api_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_bot_username: str | None = None
    telegram_messages_per_second: float = 30.0
    """Outgoing messages a second overall (Telegram allows about 30; one per chat a second)."""
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_resident_rounds: bool = False
    """Also offer residents' rounds (medborgarbudget) in Teams, not only employees' rounds."""
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = "change-me"
    public_url: str = "http://127.0.0.1:8000"
    trusted_proxies: Annotated[list[str], NoDecode] = []
    """Addresses or networks (CIDR) of the reverse proxies whose ``X-Forwarded-For`` is
    believed; comma-separated in the environment. Empty: the TCP peer is the client."""
    media_dir: str = "./media"
    letter_font: str | None = None
    """The .ttf file of the voting-code letters (Latin and Arabic glyphs); default: DejaVu
    Sans from Debian's fonts-dejavu-core."""
    timezone: str = "Europe/Stockholm"
    default_locale: str = "sv"
    outbox_tick_seconds: float = 5.0
    """How often each worker looks for due notifications."""
    outbox_lease_seconds: float = 60.0
    """How long a claimed notification stays with a worker that stopped renewing it (crashed)."""
    outbox_concurrency: int = Field(default=10, ge=1)
    """Sends in flight at once per notification, and turn replies sent but not yet recorded
    per process; a crash can repeat at most this many."""
    reply_lease_seconds: float = Field(default=20.0, gt=0)
    """How long a turn's stored replies stay with a worker that stopped renewing them
    (crashed) before another worker sends them."""

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """``10.0.0.1, 192.168.0.0/24`` from the environment; each must be an IP or a network."""
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list):
            for item in value:
                ipaddress.ip_network(str(item), strict=False)  # ValueError: not an address
        return value
