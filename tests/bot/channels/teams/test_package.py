"""``budgetbot teams-package``: the zip staff upload to Teams, checked against Teams' rules."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from tests.fakes.process import BUDGETBOT

APP_ID = "0b7a2c1e-5d3f-4e6a-9b8c-7d6e5f4a3b2c"
ARABIC = re.compile(r"[\u0600-\u06ff]")


def run(
    tmp_path: Path, version: str = "1.2.0", **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETBOT_")}
    env.update({f"BUDGETBOT_{k.upper()}": v for k, v in settings.items()})
    return subprocess.run(
        [BUDGETBOT, "teams-package", "-o", str(tmp_path / "app.zip"), "--version", version],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def pixels(png: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGBA pixels of an 8-bit RGBA PNG without filters (as we write it)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, header, data = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        at += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert (depth, color) == (8, 6)
    raw = zlib.decompress(data)
    stride = 1 + 4 * width
    values = [
        tuple(raw[y * stride + 1 + 4 * x : y * stride + 5 + 4 * x])
        for y in range(height)
        for x in range(width)
    ]
    return width, height, values


def test_package_has_what_teams_requires(tmp_path: Path) -> None:
    result = run(tmp_path, teams_app_id=APP_ID, public_url="https://budget.example.se")
    assert result.returncode == 0, result.stderr
    archive = zipfile.ZipFile(tmp_path / "app.zip")
    assert sorted(archive.namelist()) == [
        "ar.json",
        "color.png",
        "en.json",
        "manifest.json",
        "outline.png",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["version"] == "1.2.0"
    assert manifest["manifestVersion"] == "1.17"
    for field in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][field].startswith("https://")
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-F]{6}", manifest["accentColor"])
    assert manifest["validDomains"] == ["budget.example.se"]
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal"]
    commands = bot["commandLists"][0]["commands"]
    assert 1 <= len(commands) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert {"/vote", "/propose", "/help"} <= {c["title"] for c in commands}
    assert "rösta" in next(c for c in commands if c["title"] == "/vote")["description"]

    width, height, color = pixels(archive.read("color.png"))
    assert (width, height) == (192, 192)
    assert {p[3] for p in color} == {255}  # the color icon is opaque
    width, height, outline = pixels(archive.read("outline.png"))
    assert (width, height) == (32, 32)
    assert set(outline) == {(255, 255, 255, 255), (0, 0, 0, 0)}  # white on transparent

    languages = manifest["localizationInfo"]
    assert languages["defaultLanguageTag"] == "sv"
    for entry in languages["additionalLanguages"]:
        words = json.loads(archive.read(entry["file"]))
        assert words["name.short"] == "Budgetbot"
        for key in words:
            if key.startswith("bots[0]"):
                n = int(re.search(r"commands\[(\d+)\]", key).group(1))
                assert n < len(commands), key
        if entry["languageTag"] == "ar":
            assert ARABIC.search(words["description.short"])
        if entry["languageTag"] == "en":
            assert words["description.short"] != manifest["description"]["short"]


def test_package_needs_the_app_id(tmp_path: Path) -> None:
    result = run(tmp_path, public_url="https://budget.example.se")
    assert result.returncode == 2
    assert "BUDGETBOT_TEAMS_APP_ID" in result.stderr
    assert not (tmp_path / "app.zip").exists()


def test_package_refuses_what_teams_would_refuse(tmp_path: Path) -> None:
    result = run(tmp_path, teams_app_id=APP_ID, public_url="http://127.0.0.1:8000")
    assert result.returncode == 2 and "HTTPS" in result.stderr
    result = run(tmp_path, "1.2", teams_app_id=APP_ID, public_url="https://budget.example.se")
    assert result.returncode == 2 and "1.0.0" in result.stderr
    assert not (tmp_path / "app.zip").exists()
