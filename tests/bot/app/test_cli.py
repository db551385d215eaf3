"""The ``budgetbot`` command line, run as a real process with piped stdin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fakes.process import BUDGETBOT, free_port


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment pointing the CLI at a fresh SQLite file."""
    return {
        **os.environ,
        "BUDGETBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }


def budgetbot(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [BUDGETBOT, *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_db_upgrade_and_seed(env: dict[str, str]) -> None:
    assert "up to date" in budgetbot(env, "db", "upgrade")
    assert "phase: review" in budgetbot(env, "seed-demo", "--phase", "review")


def test_scripted_conversation_through_piped_chat(env: dict[str, str]) -> None:
    budgetbot(env, "seed-demo", "--phase", "ideas")
    script = "\n".join(
        [
            "/start",
            "English",
            "/about",
            "/propose",
            "Säter town",
            "Skate ramp by the school",
            "A small skate ramp on the school yard for teenagers.",
            "80000",
            "Submit",
            "/ideas",
        ]
    )
    out = budgetbot(env, "chat", "--user", "pipe", stdin=script + "\n")
    assert "Language set to English." in out
    assert "A medborgarbudget" in out
    assert "Please check your idea" in out
    assert re.search(r"Your idea #\d+ has been submitted", out)
    assert "Skate ramp by the school — waiting for review" in out

    budgetbot(env, "seed-demo", "--phase", "voting")
    out = budgetbot(env, "chat", "--user", "pipe", stdin="/vote\n1\n1\n1\n1\nConfirm\n/mydata\n")
    code = re.search(r"receipt code: (\w{4}-\w{4}-\w{4})", out)
    assert code, out
    assert f"Ballots: {code.group(1)}: #1, #2, #3" in out


def test_demo_serves_health_and_chats(env: dict[str, str]) -> None:
    port = free_port()
    env = {**env, "BUDGETBOT_PORT": str(port)}
    proc = subprocess.Popen(
        [BUDGETBOT, "demo"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    body = resp.read()
                break
            except OSError:
                time.sleep(0.2)
        assert b'"ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=5) as resp:
            assert resp.status == 200
        out, err = proc.communicate("/start\nSvenska\n", timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "log in as admin@demo.budgetbot with the password" in out
    assert "[1] Svenska" in out
    assert "Medborgarbudget Säter 2027" in out


PABULIB = Path(__file__).resolve().parents[4] / "shared" / "data" / "pabulib"


def test_tally_import_export_and_voting_codes(env: dict[str, str], tmp_path: Path) -> None:
    source = PABULIB / "Poland_Krakow_2019_Bronowice.pb"
    from_file = budgetbot(env, "tally", "--pabulib", str(source)).split()
    assert sorted(from_file) == ["25", "29", "30", "8", "9"]
    as_json = json.loads(
        budgetbot(env, "tally", "--pabulib", str(source), "--rule", "mes", "--json")
    )
    assert as_json["rule"] == "mes" and as_json["spent"] <= as_json["budget"] == 844400

    round_id = budgetbot(env, "import", "--pabulib", str(source)).strip()
    from_db = budgetbot(env, "tally", round_id, "--explain", "--lang", "en")
    assert "so it was selected" in from_db and "did not fit" in from_db

    exported = tmp_path / "bronowice.pb"
    budgetbot(env, "export", round_id, "--format", "pabulib", "-o", str(exported))
    assert budgetbot(env, "tally", "--pabulib", str(exported)).split() == from_db.split()[-5:]

    proposals = tmp_path / "proposals.csv"
    budgetbot(env, "export", round_id, "--format", "csv", "-o", str(proposals))
    assert proposals.read_text(encoding="utf-8").startswith("id,area,title")

    codes = tmp_path / "codes.csv"
    assert "25 codes" in budgetbot(env, "voting-codes", round_id, "--count", "25", "-o", str(codes))
    rows = codes.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 26 and len(set(rows)) == 26


def test_tally_json_of_unknown_round(env: dict[str, str]) -> None:
    budgetbot(env, "db", "upgrade")
    result = subprocess.run(
        [BUDGETBOT, "tally", "999"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "no round 999" in result.stderr


def add_user(env: dict[str, str], email: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BUDGETBOT, "user", "add", email, "--role", "admin"],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_user_add_reads_the_password_from_stdin(env: dict[str, str]) -> None:
    out = budgetbot(
        env,
        "user",
        "add",
        "Officer@Sater.se",
        "--role",
        "moderator",
        stdin="a long enough password\n",
    )
    assert "added as moderator" in out
    english = {**env, "BUDGETBOT_DEFAULT_LOCALE": "en"}
    again = add_user(english, "officer@sater.se", "another long password")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_user_add_refuses_weak_passwords_with_the_reason(env: dict[str, str]) -> None:
    english = {**env, "BUDGETBOT_DEFAULT_LOCALE": "en"}
    refused = {
        "short": "at least 12 characters",
        "aaaaaaaaaaaa": "Repeated characters",
        "password1234": "one of the most used passwords",
        "x@sater.se.x@sater.se": "must not contain the e-mail address",
    }
    for password, reason in refused.items():
        result = add_user(english, "x@sater.se", password)
        assert result.returncode == 2, password
        assert reason in result.stderr and result.stdout == "", password
    swedish = add_user(env, "x@sater.se", "password1234")  # BUDGETBOT_DEFAULT_LOCALE: sv
    assert swedish.returncode == 2 and "lades inte till" in swedish.stderr
    assert "vanligaste lösenorden" in swedish.stderr
    added = add_user(english, "x@sater.se", "lantern otter gravel 1893")
    assert added.returncode == 0 and "added as admin" in added.stdout


def test_teams_offers_resident_rounds_only_when_allowed() -> None:
    from bot.app.bootstrap import audiences_for
    from budgeting.settings import Settings

    assert audiences_for(Settings())["teams"] == ("employees",)
    allowed = audiences_for(Settings(teams_resident_rounds=True))
    assert allowed["teams"] == ("employees", "residents")
    assert allowed["telegram"] == ("residents",)


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("BUDGETBOT_PUBLIC_URL", "https://budget.sater.example", "PUBLIC_URL is https"),
        ("BUDGETBOT_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/x", "PostgreSQL"),
    ],
)
def test_serve_refuses_to_start_without_a_shared_secret_key(
    env: dict[str, str], setting: str, value: str, reason: str
) -> None:
    env = {k: v for k, v in env.items() if k != "BUDGETBOT_SECRET_KEY"}
    env[setting] = value
    result = subprocess.run(
        [BUDGETBOT, "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "set BUDGETBOT_SECRET_KEY" in line and reason in line
