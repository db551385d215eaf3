"""Telegram deep links that open the bot with a start payload (campaign tag, voting code)."""

from __future__ import annotations


def start_link(bot_username: str | None, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>`` (payload: at most 64 of ``A-Za-z0-9_-``)."""
    return f"https://t.me/{bot_username or '<botname>'}?start={payload}"


def deep_link(bot_username: str | None, tag: str) -> str:
    """The Telegram link that starts the bot with the campaign tag."""
    return start_link(bot_username, f"c_{tag}")


def code_link(bot_username: str | None, code: str) -> str:
    """The Telegram link that starts the bot with a voting code already entered."""
    return start_link(bot_username, f"code-{code}")
