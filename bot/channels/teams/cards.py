"""How a Reply looks in Microsoft Teams: text with suggested actions, or an Adaptive Card.

Teams shows at most three suggested actions and only ``imBack`` ones reliably, so a reply
with one to three buttons becomes text with ``imBack`` suggestions (the engine maps a typed
label back to its payload). Anything richer (more buttons, an image, a proposal, a reply
meant to replace the card whose button was pressed, such as the ranked ballot builder)
becomes an Adaptive Card whose ``Action.Submit`` buttons carry the payload itself.
"""

from __future__ import annotations

import re
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    CardAction,
    SuggestedActions,
)
from microsoft_agents.hosting.core import CardFactory

from dialogs.types import Reply

SUGGESTED_ACTIONS_LIMIT = 3
CARD_VERSION = "1.5"
PROPOSAL_HEADING = re.compile(r"^#\d+ \S")


def needs_card(reply: Reply) -> bool:
    """True if the reply reads better (or can only be shown) as an Adaptive Card."""
    buttons = reply.flat_buttons
    return bool(
        reply.replaces_previous
        or shown_image(reply)
        or len(buttons) > SUGGESTED_ACTIONS_LIMIT
        or (buttons and PROPOSAL_HEADING.match(reply.text))
    )


def shown_image(reply: Reply) -> str | None:
    """The reply's image if Teams can fetch it (an https URL, not another channel's file id)."""
    image = reply.image or ""
    return image if image.startswith("https://") else None


def reply_activity(reply: Reply) -> Activity:
    """The message activity for one reply."""
    if needs_card(reply):
        return Activity(
            type=ActivityTypes.message,
            summary=reply.text.split("\n", 1)[0][:200],
            attachments=[CardFactory.adaptive_card(adaptive_card(reply))],
        )
    activity = Activity(type=ActivityTypes.message, text=reply.text, text_format="plain")
    if reply.buttons:
        activity.suggested_actions = SuggestedActions(
            actions=[
                CardAction(type="imBack", title=button.label, value=button.label)
                for button in reply.flat_buttons
            ]
        )
    return activity


def adaptive_card(reply: Reply) -> dict[str, Any]:
    """The reply as an Adaptive Card: one text block per line, one action set per button row."""
    body: list[dict[str, Any]] = []
    lines = reply.text.split("\n")
    if reply.flat_buttons and PROPOSAL_HEADING.match(lines[0]):
        body.append(_text(lines.pop(0), weight="Bolder", size="Medium"))
    gap = False
    for line in lines:
        if not line.strip():
            gap = True
            continue
        block = _text(line)
        if gap and body:
            block["spacing"] = "Medium"
        body.append(block)
        gap = False
    image = shown_image(reply)
    if image:
        body.append({"type": "Image", "url": image, "size": "Stretch", "altText": lines[0][:100]})
    for row in reply.buttons:
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.Submit",
                        "title": button.label,
                        "data": {"payload": button.payload},
                    }
                    for button in row
                ],
            }
        )
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if reply.rtl:
        card["rtl"] = True
    return card


def _text(text: str, **style: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": "None", **style}


def submitted_payload(value: object) -> str | None:
    """The payload of a pressed card button (``{"payload": "..."}``), or None.

    Forged or oversized payloads are passed on: the dialog engine answers them.
    """
    if not isinstance(value, dict):
        return None
    payload = value.get("payload")
    return payload if isinstance(payload, str) else None


__all__ = ["adaptive_card", "needs_card", "reply_activity", "submitted_payload"]
