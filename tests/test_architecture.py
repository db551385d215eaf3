"""The import contracts (pyproject.toml, checked by import-linter in ``make test``) hold,
and they really catch a dependency against the direction or a cycle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("budgeting", "dialogs", "bot", "web_admin")
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The project's packages (Python files only) and its pyproject.toml, in a scratch folder."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_not_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()]


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=where, env=env, capture_output=True, text=True
    )


def add_import(module: Path, statement: str) -> None:
    module.write_text(module.read_text() + f"\n{statement}  # noqa\n")


def test_the_contracts_hold(copy: Path) -> None:
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_a_cycle_breaks_them(copy: Path) -> None:
    add_import(copy / "budgeting" / "tally" / "model.py", "import budgeting.pabulib")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No import cycles, at any depth BROKEN" in result.stdout
    assert ".tally -> .pabulib" in result.stdout or ".pabulib -> .tally" in result.stdout


def test_a_dependency_against_the_direction_breaks_them(copy: Path) -> None:
    add_import(copy / "dialogs" / "types.py", "import bot.channels.telegram.messages")
    add_import(copy / "web_admin" / "labels.py", "import bot.channels.contract")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Dialogs use the domain only: no channel, no admin BROKEN" in result.stdout
    assert "it never calls the bot, its channels or the dialogs BROKEN" in result.stdout
