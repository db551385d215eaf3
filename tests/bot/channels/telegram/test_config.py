"""Configuration from the settings: polling without a webhook URL, a secret required with one."""

from __future__ import annotations

import pytest

from bot.channels.telegram.config import TelegramConfig
from budgeting.settings import Settings

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_token_no_channel() -> None:
    assert TelegramConfig.from_settings(settings()) is None


def test_long_polling_without_a_webhook_url() -> None:
    config = TelegramConfig.from_settings(
        settings(
            telegram_token=TOKEN, telegram_api_url="http://127.0.0.1:8081", default_locale="en"
        )
    )
    assert config is not None and not config.webhook
    assert (config.api_url, config.default_locale) == ("http://127.0.0.1:8081", "en")


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257])
def test_a_webhook_needs_a_valid_secret(secret: str | None) -> None:
    values = {
        "telegram_token": TOKEN,
        "telegram_webhook_url": "https://example.org/telegram/webhook",
    }
    if secret is not None:
        values["telegram_webhook_secret"] = secret
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        TelegramConfig.from_settings(settings(**values))
