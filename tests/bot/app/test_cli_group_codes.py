"""``budgetbot voting-codes --group``: codes issued for one group of a round (issue 18)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.bot.app.test_cli import budgetbot, env  # noqa: F401 (the env fixture)
from tests.fakes.process import BUDGETBOT


def test_codes_for_one_group(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    budgetbot(env, "seed-demo", "--phase", "voting")
    db = sqlite3.connect(tmp_path / "cli.sqlite3")
    round_id, area_id = db.execute("SELECT round_id, id FROM areas ORDER BY id LIMIT 1").fetchone()
    codes = tmp_path / "codes.csv"
    args = ["voting-codes", str(round_id), "--count", "3", "-o", str(codes)]
    assert "3 codes" in budgetbot(env, *args, "--group", str(area_id))
    bound = db.execute("SELECT area_id FROM voting_codes").fetchall()
    assert bound == [(area_id,)] * 3
    unknown = subprocess.run(
        [BUDGETBOT, *args, "--group", "999999"], env=env, capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 2 and "no group 999999" in unknown.stderr
    assert db.execute("SELECT count(*) FROM voting_codes").fetchone() == (3,)
