"""What a channel gives a dialog (Incoming) and what it gets back (Reply)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        """The reply as plain JSON (to be stored until it is sent)."""
        stored: dict[str, Any] = {"text": self.text}
        if self.buttons:
            stored["buttons"] = [[[b.label, b.payload] for b in row] for row in self.buttons]
        if self.image:
            stored["image"] = self.image
        if self.rtl:
            stored["rtl"] = True
        if self.replaces_previous:
            stored["replaces_previous"] = True
        return stored

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Reply:
        """The reply ``to_json`` stored."""
        return cls(
            text=str(stored["text"]),
            buttons=tuple(
                tuple(Button(str(label), str(payload)) for label, payload in row)
                for row in stored.get("buttons", ())
            ),
            image=stored.get("image"),
            rtl=bool(stored.get("rtl", False)),
            replaces_previous=bool(stored.get("replaces_previous", False)),
        )


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
    """A channel's id of this update (Telegram's update_id); a repeated key is a no-op.
    With a key, the turn's replies are stored with its effects until the channel took them."""
    reply_address: Mapping[str, Any] = field(default_factory=dict)
    """Where the replies go, in the channel's own terms (the message to edit, a Teams
    conversation reference); stored with them, so that any process can send them."""
