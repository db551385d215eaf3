"""The command line on a published round: no recount, and the exported files are the
published ones, which recount to the published result."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from tests.fakes.process import BUDGETBOT


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BUDGETBOT, *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_published_round_is_not_counted_again_and_exports_its_published_files(
    tmp_path: Path,
) -> None:
    database = tmp_path / "cli.sqlite3"
    env = {
        **os.environ,
        "BUDGETBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "BUDGETBOT_DEFAULT_LOCALE": "en",
    }
    assert run(env, "seed-demo", "--phase", "decision").returncode == 0
    with sqlite3.connect(database) as db:
        round_id, seed = db.execute(
            "SELECT id, lot_seed FROM rounds WHERE slug = 'sater-medborgarbudget'"
        ).fetchone()
        published = {
            area_id: (sha256, selected)
            for area_id, sha256, selected in db.execute(
                "SELECT f.area_id, f.sha256, t.result FROM published_files f "
                "JOIN tally_runs t ON t.area_id = f.area_id AND t.published_at IS NOT NULL "
                "WHERE f.round_id = ?",
                (round_id,),
            )
        }
    assert seed == 2027 and len(published) == 3

    refused = run(env, "tally", str(round_id))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "The results are published and frozen: the ballots cannot be counted again."
    )

    out = tmp_path / "sater.pb"
    exported = run(env, "export", str(round_id), "--format", "pabulib", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    for area_id, (sha256, result) in published.items():
        path = out.with_name(f"sater_area{area_id}.pb")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        recount = run(env, "tally", "--pabulib", str(path))
        assert recount.returncode == 0, recount.stderr
        assert sorted(recount.stdout.split()) == sorted(json.loads(result)["selected"])
