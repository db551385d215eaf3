"""Voting codes in a real browser (Debian's chromium): an admin issues codes, downloads the
CSV and the letters (their text read with pypdf), a code used in the chat shows as used,
a revoked one is refused in the chat; axe-core finds no serious violation on the new pages
at 1280 and 390 px."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.db import create_engine, session_factory
from budgeting.models import Round, VotingCodeBatch
from budgeting.phases import Phase
from tests.rounds import TOWN
from tests.web_admin.harness import (
    ADMIN,
    BOT,
    MODERATOR,
    chat_turns,
    need_letter_font,
    vote_with_code,
)
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


@pytest.fixture
def code_server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, str, int]]:
    """TOWN in its voting phase asking for voting codes, served live."""
    for server, url in seeded_server(sqlite_template, tmp_path, Phase.VOTING):

        async def require_codes(session: AsyncSession) -> int:
            town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
            await session.execute(
                update(Round).where(Round.id == town.id).values(requires_voting_code=True)
            )
            return town.id

        yield server, url, run(in_db(url, require_codes))


def in_chat(url: str, user: str, messages: list[str]) -> str:
    """A resident's messages through the dialog engine on the served database."""

    async def talk() -> str:
        engine = create_engine(url)
        try:
            return await chat_turns(session_factory(engine), user, messages)
        finally:
            await engine.dispose()

    return run(talk())


def counts_row(page: Any, label: str) -> list[str]:
    """The numbers of one row of the per-area table."""
    row = page.locator("#per-area ~ .table-wrap tr", has=page.get_by_role("rowheader", name=label))
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def test_an_admin_issues_prints_and_revokes_codes(
    chromium: Any,
    code_server: tuple[LiveServer, str, int],
    tmp_path: Path,
) -> None:
    server, url, round_id = code_server
    need_letter_font()
    staff = Staff(chromium, server, accept_downloads=True)
    page = staff.login(*ADMIN)
    page.get_by_role("link", name="Säter participatory budget 2027").click()
    nav = page.get_by_role("navigation", name="This round")
    nav.get_by_role("link", name="Voting codes").click()
    page.get_by_label("How many codes (1 to 50,000)").fill("3")
    page.get_by_role("button", name="Issue the codes").click()
    assert "The voting codes are issued" in flash(page)
    assert counts_row(page, "The whole round") == ["3", "0", "0", "3"]
    with page.expect_download() as download:
        page.get_by_role("link", name="All codes (CSV)").click()
    rows = list(csv.DictReader(download.value.path().open(encoding="utf-8")))
    codes = [row["voting_code"] for row in rows]
    assert len(set(codes)) == 3 and rows[0]["link"].startswith(f"https://t.me/{BOT}?start=code-")
    with page.expect_download() as download:
        page.get_by_role("link", name="Letters 1–3 (PDF)").click()
    letters = [p.extract_text() for p in PdfReader(download.value.path()).pages]
    assert len(letters) == 3
    for code, text in zip(codes, letters, strict=True):
        assert code in text and f"start=code-{code}" in text and "Din röstkod" in text

    assert "receipt" in in_chat(url, "anna", vote_with_code(codes[0]))
    page.reload()
    assert counts_row(page, "The whole round") == ["3", "1", "0", "2"]

    page.get_by_label("Voting code", exact=True).fill(codes[1].lower())
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="Revoke a voting code").is_visible()
    assert "The code has not been used." in page.inner_text("main")
    page.get_by_role("button", name="Revoke the code").click()
    assert "The voting code is revoked" in flash(page)
    assert counts_row(page, "The whole round") == ["3", "1", "1", "1"]
    refused = in_chat(url, "berit", vote_with_code(codes[1])[:4])
    assert "revoked by the staff" in refused
    staff.close()


def test_axe_is_clean_on_the_voting_code_pages(
    chromium: Any,
    code_server: tuple[LiveServer, str, int],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url, round_id = code_server
    staff = Staff(chromium, server)
    page = staff.login(*ADMIN)
    page.goto(f"/admin/rounds/{round_id}/voting-codes")
    page.get_by_label("How many codes (1 to 50,000)").fill("2")
    page.get_by_role("button", name="Issue the codes").click()
    staff.close()

    async def batch_id(session: AsyncSession) -> int:
        return (await session.scalars(select(VotingCodeBatch.id))).one()

    batch = run(in_db(url, batch_id))
    axe = Axe()
    for viewport in VIEWPORTS:
        for who, paths in (
            (
                ADMIN,
                [
                    f"/admin/rounds/{round_id}/voting-codes",
                    f"/admin/voting-code-batches/{batch}/revoke",
                ],
            ),
            (MODERATOR, [f"/admin/rounds/{round_id}/voting-codes"]),
        ):
            staff = Staff(chromium, server, viewport=viewport)
            page = staff.login(*who)
            problems: list[str] = []
            for path in paths:
                page.goto(path)
                problems += page_problems(axe, page, path, viewport)
            if who is ADMIN:
                listing = page.request.get(f"/admin/voting-code-batches/{batch}/codes.csv")
                code = listing.text().splitlines()[1].split(",")[1]
                path = f"/admin/rounds/{round_id}/voting-codes/revoke?code={code}"
                page.goto(path)
                assert page.get_by_role("button", name="Revoke the code").is_visible()
                problems += page_problems(axe, page, "the code's revoke page", viewport)
                page.goto(f"/admin/rounds/{round_id}/voting-codes")
                page.get_by_label("Voting code", exact=True).fill("nonsense")
                page.get_by_role("button", name="Continue").click()
                assert "no such voting code" in flash(page)
            assert problems == [], "\n".join(problems)
            staff.close()
