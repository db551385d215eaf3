"""Runtime settings, read from the environment (prefix ``BUDGETBOT_``) or ``.env``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    media_dir: str = "./media"
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
