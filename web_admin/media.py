"""Photos staff upload for implementation updates, stored on disk under the media dir."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MEDIA_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class NotAPhoto(ValueError):
    """The upload is not a JPEG, PNG or WebP image of acceptable size."""


def photo_kind(data: bytes) -> str | None:
    """``jpg``/``png``/``webp`` judged by the file's first bytes (never by its name)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def save_photo(media_dir: Path, data: bytes) -> str:
    """Store an uploaded photo under a random name; returns the file name."""
    if not data or len(data) > MAX_PHOTO_BYTES:
        raise NotAPhoto("empty or too large")
    kind = photo_kind(data)
    if kind is None:
        raise NotAPhoto("not a JPEG, PNG or WebP image")
    media_dir.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    (media_dir / name).write_bytes(data)
    return name


def media_path(media_dir: Path, name: str) -> Path | None:
    """The stored file for a public media name, or None (no path tricks possible)."""
    if not MEDIA_NAME.match(name):
        return None
    path = media_dir / name
    return path if path.is_file() else None
