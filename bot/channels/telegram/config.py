"""How the Telegram channel reaches Telegram, read from the settings when it is built."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.channels.pacing import RateLimits
from budgeting.i18n import normalize
from budgeting.settings import Settings

CHANNEL = "telegram"
"""The channel's name in identities, update keys and stored replies."""
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""What Telegram accepts as a webhook secret token."""


@dataclass(frozen=True)
class TelegramConfig:
    """A webhook URL (with its secret) switches long polling off."""

    token: str
    api_url: str | None = None
    """Base URL of the Bot API server (None: api.telegram.org)."""
    webhook_url: str | None = None
    webhook_secret: str | None = None
    default_locale: str = "sv"
    """The language of the commands menu for everyone without a language of their own."""
    poll_timeout: int = 30
    """Seconds a getUpdates long poll waits for news."""
    max_attempts: int = 3
    """Times an update may fail before it is given up and the resident gets an apology."""
    retry_pause: float = 1.0
    """Seconds between attempts at a failed update in long polling."""
    shutdown_grace: float = 10.0
    """Seconds to finish queued messages when stopping."""
    limits: RateLimits = field(default_factory=RateLimits)

    def __post_init__(self) -> None:
        if self.webhook_url and not (
            self.webhook_secret and SECRET_FORMAT.match(self.webhook_secret)
        ):
            raise ValueError(
                "BUDGETBOT_TELEGRAM_WEBHOOK_SECRET must be set (1-256 of A-Z a-z 0-9 _ -) "
                "when BUDGETBOT_TELEGRAM_WEBHOOK_URL is"
            )

    @property
    def webhook(self) -> bool:
        """True in webhook mode, False for long polling."""
        return bool(self.webhook_url)

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig | None:
        """The configuration from ``BUDGETBOT_TELEGRAM_*``; None without a token."""
        if not settings.telegram_token:
            return None
        return cls(
            token=settings.telegram_token,
            api_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=settings.telegram_webhook_secret,
            default_locale=normalize(settings.default_locale),
            limits=RateLimits(overall_per_second=settings.telegram_messages_per_second),
        )
