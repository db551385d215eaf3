"""The Teams app package staff upload in the Teams admin center: manifest, icons, languages.

``budgetbot teams-package -o budgetbot-teams.zip`` writes it from the settings (the app
id is the bot's id). Swedish is the default language; English and Arabic come as
localization files, so Teams shows the name, description and command menu in the
employee's own language.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from budgeting.i18n import LANGUAGES, translator
from budgeting.i18n import _ as N_
from dialogs.menu import COMMAND_HELP

SCHEMA = "https://developer.microsoft.com/json-schemas/teams/v1.17/"
MANIFEST_VERSION = "1.17"
DEFAULT_LANGUAGE = "sv"
ACCENT = (0x1F, 0x6F, 0x50)
MENU = ("start", "about", "propose", "browse", "vote", "results", "follow", "settings", "mydata")
"""The commands in Teams' command menu (it shows at most ten; /help comes last)."""
SHORT_NAME = "Budgetbot"
FULL_NAME = N_("Budgetbot – participatory budget in chat")
SHORT_DESCRIPTION = N_("Propose ideas, discuss them and vote on part of the budget.")
FULL_DESCRIPTION = N_(
    "Take part in the participatory budget from a chat: learn how the round works, submit "
    "ideas, discuss them, get reminders, vote on projects and follow what happens "
    "to the winners."
)


def texts(locale: str) -> dict[str, str]:
    """The manifest's words in one language, by their localization-file keys."""
    _ = translator(locale).gettext
    found = {
        "name.short": SHORT_NAME,
        "name.full": _(FULL_NAME),
        "description.short": _(SHORT_DESCRIPTION),
        "description.full": _(FULL_DESCRIPTION),
    }
    help_of = dict(COMMAND_HELP)
    for n, name in enumerate((*MENU, "help")):
        found[f"bots[0].commandLists[0].commands[{n}].title"] = f"/{name}"
        found[f"bots[0].commandLists[0].commands[{n}].description"] = _(help_of[name])
    return found


def manifest(app_id: str, public_url: str, developer: str, version: str) -> dict[str, Any]:
    """The app manifest, in the default language."""
    words = texts(DEFAULT_LANGUAGE)
    commands = [
        {
            "title": words[f"bots[0].commandLists[0].commands[{n}].title"],
            "description": words[f"bots[0].commandLists[0].commands[{n}].description"],
        }
        for n in range(len(MENU) + 1)
    ]
    return {
        "$schema": SCHEMA + "MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer,
            "websiteUrl": public_url,
            "privacyUrl": public_url,
            "termsOfUseUrl": public_url,
        },
        "name": {"short": words["name.short"], "full": words["name.full"]},
        "description": {
            "short": words["description.short"],
            "full": words["description.full"],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlparse(public_url).hostname or ""],
        "localizationInfo": {
            "defaultLanguageTag": DEFAULT_LANGUAGE,
            "additionalLanguages": [
                {"languageTag": code, "file": f"{code}.json"}
                for code in LANGUAGES
                if code != DEFAULT_LANGUAGE
            ],
        },
    }


def package(app_id: str, public_url: str, developer: str, version: str = "1.0.0") -> bytes:
    """The zip Teams takes: manifest.json, the two icons, one file per other language."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest(app_id, public_url, developer, version)))
        archive.writestr("color.png", icon(192, ACCENT + (255,), (255, 255, 255, 255)))
        archive.writestr("outline.png", icon(32, (0, 0, 0, 0), (255, 255, 255, 255)))
        for code in LANGUAGES:
            if code != DEFAULT_LANGUAGE:
                words = {"$schema": SCHEMA + "MicrosoftTeams.Localization.schema.json"}
                archive.writestr(f"{code}.json", _json({**words, **texts(code)}))
    return buffer.getvalue()


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


Pixel = tuple[int, int, int, int]


def icon(size: int, background: Pixel, ink: Pixel) -> bytes:
    """A ballot going into a ballot box, as a square RGBA PNG (the outline icon: white on
    transparent, as Teams requires)."""

    def drawn(u: float, v: float) -> bool:
        slot = 0.32 <= u <= 0.68 and 0.50 <= v <= 0.56
        box = 0.18 <= u <= 0.82 and 0.50 <= v <= 0.84 and not slot
        ballot = 0.38 <= u <= 0.62 and 0.16 <= v <= 0.50
        return box or ballot

    return _png(size, lambda x, y: ink if drawn((x + 0.5) / size, (y + 0.5) / size) else background)


def _png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
