"""Importing a pabulib file in a real browser (Debian's chromium): an admin uploads a file,
checks the preview, imports it as a closed round and counts it; the count selects what
``budgetbot tally --pabulib`` selects from the same file. axe-core finds no serious
violation on the new pages at 1280 and 390 px."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Proposal, TallyRun
from budgeting.phases import Phase
from tests.fakes.process import BUDGETBOT
from tests.web_admin.harness import ADMIN
from tests.web_admin.live import (
    VIEWPORTS,
    LiveServer,
    Staff,
    flash,
    in_db,
    page_problems,
    run,
    seeded_server,
)

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
ZARZECZE = PABULIB / "Poland_Katowice_2024_Zarzecze.pb"
"""Cumulative ballots, counted greedy with a minimum of points (META ``greedy-threshold``)."""


@pytest.fixture
def closed_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    yield from seeded_server(sqlite_template, tmp_path, Phase.DECISION)


def cli_tally(path: Path) -> list[str]:
    """The project ids ``budgetbot tally --pabulib`` selects (with the rule META names)."""
    result = subprocess.run(
        [BUDGETBOT, "tally", "--pabulib", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def upload(page: Any, path: Path) -> None:
    page.get_by_label("Pabulib file (.pb)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


def test_an_admin_imports_a_pabulib_file_and_counts_it_as_the_cli_does(
    chromium: Any,
    closed_server: tuple[LiveServer, str],
) -> None:
    server, url = closed_server
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.get_by_role("link", name="Import a round from a pabulib file").click()
    upload(page, ZARZECZE)
    page.wait_for_url("**/admin/imports/pabulib/*")
    assert page.get_by_role("heading", level=1).inner_text() == f"Preview of {ZARZECZE.name}"
    facts = page.locator("dl.facts").inner_text()
    assert "Cumulative points" in facts and "greedy-threshold" in facts
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 1 + 9
    page.get_by_role("button", name="Import as a closed round").click()
    page.wait_for_url("**/admin/rounds/*")
    assert "imported as a closed round" in flash(page)
    round_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("navigation", name="This round").get_by_role("link", name="Results").click()
    page.get_by_label("Counting rule").select_option("greedy")
    page.get_by_role("button", name="Count the ballots").click()
    assert "counted" in flash(page)
    staff.close()

    async def counted(session: AsyncSession) -> list[str]:
        [run_] = (
            await session.scalars(select(TallyRun).where(TallyRun.round_id == round_id))
        ).all()
        selected = [int(pid) for pid in run_.result["selected"]]
        return list(
            (
                await session.scalars(select(Proposal.external_id).where(Proposal.id.in_(selected)))
            ).all()
        )

    from_admin = run(in_db(url, counted))
    assert from_admin and sorted(from_admin) == sorted(cli_tally(ZARZECZE))


def test_axe_finds_no_serious_violations_on_the_import_pages(
    chromium: Any,
    closed_server: tuple[LiveServer, str],
    tmp_path: Path,
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, _url = closed_server
    broken = tmp_path / "Poland_Katowice_2024_Zarzecze_broken_copy.pb"
    broken.write_text("META\nkey;value\nbudget;100\nPROJECTS\nname\nx\n", encoding="utf-8")
    axe = Axe()
    problems: list[str] = []
    for viewport in VIEWPORTS:
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.login(*ADMIN)
        page.goto("/admin/imports/pabulib")
        problems += page_problems(axe, page, "the upload form", viewport)
        upload(page, broken)
        assert f"Cannot count {broken.name}" in page.locator(".field-error").inner_text()
        problems += page_problems(axe, page, "the refusal", viewport)
        upload(page, ZARZECZE)
        page.wait_for_url("**/admin/imports/pabulib/*")
        problems += page_problems(axe, page, "the preview", viewport)
        staff.close()
    assert problems == [], "\n".join(problems)
