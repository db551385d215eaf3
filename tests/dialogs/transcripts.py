"""Transcript pieces several dialog tests start from (data, not tests)."""

from __future__ import annotations

START_ENGLISH = [
    ("/start", ["Which language do you prefer?", "[English]"]),
    ("English", ["Language set to English.", "Privacy:", "Säter participatory budget 2027"]),
]
"""First contact in English, ending in the residents' round of tests/rounds.py (TOWN)."""
