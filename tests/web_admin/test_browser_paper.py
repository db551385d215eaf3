"""Paper ballots in a real browser (Debian's chromium): an admin keys in a paper, checks it,
changes it, registers it; the same voting code is refused the second time; the count shows
the paper ballots next to the chat ones. axe-core finds nothing serious at 1280 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import Ballot, BallotRank, Round, TallyRun
from budgeting.phases import Phase
from budgeting.services.voting_codes import generate_codes
from tests.rounds import TOWN
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

RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def paper_server(
    sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[LiveServer, str, int, list[str]]]:
    """TOWN in voting, with voting codes and two ballots already cast on Telegram."""
    for server, url in seeded_server(sqlite_template, tmp_path, Phase.VOTING):

        async def prepare(session: AsyncSession) -> tuple[int, list[str]]:
            town = (await session.scalars(select(Round).where(Round.slug == TOWN.slug))).one()
            town.requires_voting_code = True
            codes = await generate_codes(session, town, 4)
            await session.refresh(town, ["areas"])
            area = town.areas[0].id
            for n, ranking in enumerate(((2, 4), (3,))):
                ballot = Ballot(
                    round_id=town.id, area_id=area, receipt_code=f"TELE-GRAM-000{n}", ranks=[]
                )
                ballot.channel = "telegram"
                ballot.ranks = [
                    BallotRank(position=i, proposal_id=p) for i, p in enumerate(ranking)
                ]
                session.add(ballot)
            return town.id, codes

        round_id, codes = run(in_db(url, prepare))
        yield server, url, round_id, codes


def test_paper_ballots_are_entered_refused_twice_and_counted_by_channel(
    chromium: Any,
    paper_server: tuple[LiveServer, str, int, list[str]],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, url, round_id, codes = paper_server
    axe = Axe()
    problems: list[str] = []
    receipts = []
    for viewport, code in zip(VIEWPORTS, codes, strict=False):
        staff = Staff(chromium, server, viewport=viewport)
        page = staff.login(*ADMIN)
        page.goto(f"/admin/rounds/{round_id}/voting")
        page.get_by_role("link", name="Enter a paper ballot").click()
        problems += page_problems(axe, page, "paper area", viewport)
        page.get_by_label("The paper's area").select_option(label="Säter town")
        page.get_by_role("button", name="Continue").click()
        problems += page_problems(axe, page, "paper entry", viewport)
        page.get_by_label("Choice 1").select_option(label="#1 Fler bänkar längs Ljusterån")
        page.get_by_label("Voting code on the paper").fill(code.lower())
        page.get_by_role("button", name="Check the ballot").click()
        assert page.get_by_role("heading", name="Check the paper ballot").is_visible()
        problems += page_problems(axe, page, "paper review", viewport)
        page.get_by_role("button", name="Change").click()  # the paper ranks two projects
        assert page.get_by_label("Choice 1").input_value() == "1"
        page.get_by_label("Choice 2").select_option(
            label="#3 Belysning på gångvägen till stationen"
        )
        page.get_by_role("button", name="Check the ballot").click()
        ranking = page.get_by_role("region", name="Ranking, best first").inner_text()
        assert ranking.index("Fler bänkar") < ranking.index("Belysning")
        page.get_by_role("button", name="Register").click()
        message = flash(page)
        assert "Write its receipt code on the paper" in message
        receipts.append(RECEIPT.search(message).group(0))

        page.get_by_label("Choice 1").select_option(label="#2 Utegym vid Säterdalen")
        page.get_by_label("Voting code on the paper").fill(code)
        page.get_by_role("button", name="Check the ballot").click()
        assert "This voting code has already been used" in page.get_by_role("alert").inner_text()
        problems += page_problems(axe, page, "paper refused", viewport)
        staff.close()

    staff = Staff(chromium, server, viewport=VIEWPORTS[1])
    page = staff.login(*ADMIN)
    page.goto(f"/admin/rounds/{round_id}/voting")
    channels = page.get_by_role("region", name="Per channel").inner_text()
    assert re.search(r"Telegram\s+2", channels) and re.search(r"Paper\s+2", channels)
    problems += page_problems(axe, page, "voting monitor", VIEWPORTS[1])
    for kind in ("approval", "cumulative"):

        async def choose(session: AsyncSession, kind: str = kind) -> None:
            (await session.get(Round, round_id)).ballot_kind = kind

        run(in_db(url, choose))
        page.goto(f"/admin/rounds/{round_id}/paper")
        page.get_by_label("The paper's area").select_option(label="Säter town")
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_label("#4 Lekplats i Bergsgården").is_visible()
        problems += page_problems(axe, page, f"{kind} paper entry", VIEWPORTS[1])

    async def ranked(session: AsyncSession) -> None:
        (await session.get(Round, round_id)).ballot_kind = "ranked"

    run(in_db(url, ranked))
    page.goto(f"/admin/rounds/{round_id}")
    page.get_by_label("Phase now").select_option("decision")
    page.get_by_role("button", name="Change phase").click()
    page.get_by_role("button", name="Change the phase").click()
    page.goto(f"/admin/rounds/{round_id}/results")
    page.get_by_role("button", name="Count the ballots").click()
    assert "counted" in flash(page)
    town = page.get_by_role("region", name="Säter town").inner_text()
    assert "Ballots: 4" in town and "Ballots per channel: Telegram 2 · Paper 2" in town
    problems += page_problems(axe, page, "results", VIEWPORTS[1])
    staff.close()
    assert problems == [], "\n".join(problems)

    async def counted(session: AsyncSession) -> None:
        run_ = (await session.scalars(select(TallyRun).order_by(TallyRun.id).limit(1))).one()
        assert run_.result["channels"] == {"paper": 2, "telegram": 2}
        assert run_.result["points"]["1"] == 2 * 3 and run_.result["points"]["3"] == 2 * 2 + 3
        stored = (await session.scalars(select(Ballot).where(Ballot.channel == "paper"))).all()
        assert sorted(b.receipt_code for b in stored) == sorted(receipts)

    run(in_db(url, counted))
