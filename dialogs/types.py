"""What a channel gives a dialog (Incoming) and what it gets back (Reply)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """A choice offered to the participant; ``payload`` is a short id string (≤ 64 bytes)."""

    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message to the participant: text, rows of buttons and an optional image."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | None = None
    rtl: bool = False
    replaces_previous: bool = False
    """A hint for channels that can edit: show this in place of the message whose button
    was pressed (the ranking builder), instead of adding a new message."""

    @property
    def flat_buttons(self) -> list[Button]:
        """Every button, row by row."""
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Incoming:
    """One event from a participant: typed text, a pressed button's payload, or a photo."""

    channel: str
    user_id: str
    text: str | None = None
    payload: str | None = None
    photo: str | None = None
    display_name: str | None = None
    locale_hint: str | None = None
    supports_photos: bool = field(default=False)
    update_key: str | None = None
    """A channel's id of this update (Telegram's update_id); a repeated key is a no-op."""
