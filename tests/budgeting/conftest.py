"""Fixtures for the tally tests: where the Kraków files are (see tests/budgeting/elections.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.budgeting.elections import PABULIB_DIR


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    if not PABULIB_DIR.is_dir():
        pytest.skip(f"Kraków data not found at {PABULIB_DIR}")
    return PABULIB_DIR
