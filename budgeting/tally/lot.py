"""The drawn lot that breaks ties in a round run here.

The order is reproducible by anyone from the recorded seed: projects are sorted by the
SHA-256 hex digest of ``"<seed>:<project id>"`` (ties in the digest, which do not happen in
practice, fall back to the id).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

SEED_LIMIT = 10**9


def new_seed() -> int:
    """A fresh random seed to record with the tally (at most nine digits, easy to read out)."""
    return secrets.randbelow(SEED_LIMIT)


def lot_key(project_id: str, seed: int) -> str:
    """The hex digest that places one project in the lot drawn with ``seed``."""
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


def draw_lot(project_ids: Iterable[str], seed: int) -> tuple[str, ...]:
    """The tie-break order drawn with ``seed``; independent of the order ids are given in."""
    ids = set(project_ids)
    return tuple(sorted(ids, key=lambda pid: (lot_key(pid, seed), pid)))
