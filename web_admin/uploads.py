"""Uploaded pabulib files kept between their preview and their import.

Each upload is a file in a private directory, named by a random token and bound to the
staff session that uploaded it: another session (or a guessed token) finds nothing. An
upload lapses after ``UPLOAD_LIFETIME`` seconds, or once it is imported.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_PABULIB_BYTES = 8 * 1024 * 1024
"""The largest pabulib file accepted (city-wide Kraków 2019 is 1.9 MB)."""
UPLOAD_LIFETIME = 60 * 60
TOKEN_PATTERN = "^[0-9a-f]{32}$"
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class Upload:
    """A kept upload: its bytes and the name the staff member's file had."""

    content: bytes
    filename: str


def _owner_digest(owner: str) -> str:
    return hashlib.sha256(owner.encode()).hexdigest()


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (never overwrite one), readable by this user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@dataclass(frozen=True)
class PendingUploads:
    """The uploads waiting in ``directory`` for their import."""

    directory: Path

    def keep(self, content: bytes, filename: str, owner: str) -> str:
        """Keep ``content`` for ``owner`` (a staff session); the token that finds it."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        token = secrets.token_hex(16)
        _write_new(self.directory / f"{token}.pb", content)
        label = {"owner": _owner_digest(owner), "filename": filename}
        _write_new(self.directory / f"{token}.json", json.dumps(label).encode())
        return token

    def find(self, token: str, owner: str) -> Upload | None:
        """The upload ``token`` names if ``owner`` kept it and it has not lapsed."""
        if not _TOKEN.fullmatch(token):
            return None
        try:
            label_path = self.directory / f"{token}.json"
            if time.time() - label_path.stat().st_mtime > UPLOAD_LIFETIME:
                return None
            label = json.loads(label_path.read_text())
            if not hmac.compare_digest(label["owner"], _owner_digest(owner)):
                return None
            return Upload((self.directory / f"{token}.pb").read_bytes(), label["filename"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def discard(self, token: str) -> None:
        """Forget the upload ``token`` names (imported, or given up)."""
        if _TOKEN.fullmatch(token):
            for suffix in (".json", ".pb"):
                (self.directory / f"{token}{suffix}").unlink(missing_ok=True)

    def _sweep(self) -> None:
        """Delete the uploads that have lapsed."""
        now = time.time()
        for path in self.directory.glob("*.*"):
            try:
                if now - path.stat().st_mtime > UPLOAD_LIFETIME:
                    path.unlink(missing_ok=True)
            except OSError:
                continue


def upload_slug(token: str) -> str:
    """The slug of the round an upload is imported as: the same for a second submit."""
    return "pabulib-" + hashlib.sha256(token.encode()).hexdigest()[:24]
