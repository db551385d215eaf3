"""``budgetbot tally --pabulib``: every shared file with an official result, and files it
cannot count, through the CLI's entry point (in process, as the console script calls it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.app.cli import main
from budgeting.pabulib import parse_pabulib
from tests.budgeting.elections import PABULIB_DIR, selected_files
from tests.fakes.process import BUDGETBOT

GOOD = """META
key;value
budget;100
vote_type;approval
rule;greedy-no-skip
max_length;2
PROJECTS
project_id;cost;name
b;60;B
a;50;A
c;30;C
VOTES
voter_id;vote
1;a,b
2;b
3;c,b
4;a,c
"""


def tally(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["tally", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def shared() -> Path:
    if not PABULIB_DIR.is_dir():
        pytest.skip(f"pabulib data not found at {PABULIB_DIR}")
    return PABULIB_DIR


def test_every_kind_of_shared_file_is_covered(shared: Path) -> None:
    kinds = {parse_pabulib(p).vote_type for p in selected_files()}
    assert kinds == {"ordinal", "approval", "cumulative"}


@pytest.mark.parametrize("path", selected_files(), ids=lambda p: p.stem)
def test_selects_the_official_projects(
    path: Path, shared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tally(capsys, "--pabulib", str(path))
    assert (code, err) == (0, "")
    assert sorted(out.split()) == sorted(parse_pabulib(path).selected_ids or ["none?"])


def test_uses_the_rule_the_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # b (3 votes) fits, a (2) does not fit in the 40 left; c (2) would, but no-skip stops
    path = tmp_path / "small.pb"
    path.write_text(GOOD, encoding="utf-8")
    assert tally(capsys, "--pabulib", str(path)) == (0, "b\n", "")
    path.write_text(GOOD.replace("greedy-no-skip", "greedy"), encoding="utf-8")
    assert tally(capsys, "--pabulib", str(path))[1].split() == ["b", "c"]
    path.write_text(GOOD.replace("greedy-no-skip", "greedy-threshold"), encoding="utf-8")
    assert tally(capsys, "--pabulib", str(path))[1].split() == ["b", "c"]
    path.write_text(GOOD.replace("max_length;2", "max_length;2\nmin_project_score_threshold;3"))
    assert tally(capsys, "--pabulib", str(path), "--rule", "greedy")[1].split() == ["b"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("greedy", "greedy"),
        ("greedy-threshold", "greedy"),
        ("greedy-no-skip", "greedy-no-skip"),
        ("mes", "mes"),
        ("equalshares", "mes"),
        ("equalshares/add1", "mes"),
    ],
)
def test_rule_given_overrides_the_file(
    rule: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "small.pb"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _err = tally(capsys, "--pabulib", str(path), "--rule", rule, "--json")
    data = json.loads(out)
    assert code == 0 and data["rule"] == expected and data["kind"] == "approval"
    if expected == "mes":
        assert data["mes"]["satisfaction"] == "cost"


def test_explains_an_approval_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "small.pb"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _err = tally(capsys, "--pabulib", str(path), "--explain", "--lang", "en")
    assert code == 0
    assert "Each ballot gives one vote to each project it chooses." in out
    assert "had 3 votes" in out and "the count stopped at the first project" in out
    code, out, _err = tally(capsys, "--pabulib", str(path), "--rule", "mes", "--explain")
    assert code == 0 and "Varje anhängare betalade" in out  # the default language, Swedish


BROKEN = {
    "unknown vote type": (GOOD.replace("approval", "scoring"), "vote type 'scoring'"),
    "unknown rule": (GOOD.replace("greedy-no-skip", "phragmen"), "rule 'phragmen'"),
    "no budget": (GOOD.replace("budget;100\n", ""), "no budget"),
    "non-numeric cost": (GOOD.replace("a;50;A", "a;fifty;A"), "'fifty' is not a number"),
    "fractional cost": (GOOD.replace("a;50;A", "a;50.5;A"), "'50.5' is not a whole amount"),
    "negative budget": (GOOD.replace("budget;100", "budget;-100"), "negative budget"),
    "unknown project in a vote": (GOOD.replace("2;b", "2;z"), "unknown project"),
    "a project twice": (GOOD.replace("2;b", "2;b,b"), "twice"),
    "too many choices": (GOOD.replace("2;b", "2;a,b,c"), "more than 2"),
    "long row": (GOOD.replace("2;b", "2;b;extra"), "more cells"),
    "duplicate projects": (GOOD.replace("c;30;C", "b;30;C"), "duplicate project ids"),
    "no project_id column": (GOOD.replace("project_id;cost", "id;cost"), "project_id"),
    "no cost column": (GOOD.replace("project_id;cost", "project_id;price"), "cost column"),
    "no projects": (GOOD.replace("b;60;B\na;50;A\nc;30;C\n", ""), "no projects"),
    "rows before META": ("x;y\n" + GOOD, "before the META"),
    "section without header": ("META\n", "no header row"),
    "empty file": ("", "project_id"),
    "cumulative without points": (GOOD.replace("approval", "cumulative"), "number(s) of points"),
    "bad max_length": (GOOD.replace("max_length;2", "max_length;two"), "max_length"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_file_it_cannot_count_gets_one_line_and_status_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, reason = BROKEN[name]
    path = tmp_path / "broken.pb"
    path.write_text(text, encoding="utf-8")
    code, out, err = tally(capsys, "--pabulib", str(path), "--lang", "en")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"Cannot count {path}: ")
    assert reason in err


def test_files_that_are_not_text_or_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "binary.pb"
    binary.write_bytes(b"\xff\xfe\x00\x81META")
    for path in (binary, tmp_path / "missing.pb", tmp_path):
        code, out, err = tally(capsys, "--pabulib", str(path), "--lang", "en")
        assert (code, out) == (2, "") and err.count("\n") == 1, err
        assert err.startswith(f"Cannot count {path}: ")


def test_the_console_script_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(GOOD.replace("approval", "scoring"), encoding="utf-8")
    result = subprocess.run(
        [BUDGETBOT, "tally", "--pabulib", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
