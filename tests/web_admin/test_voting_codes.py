"""Voting codes in the admin over HTTP, on both databases: role, CSRF, bad and huge
numbers, double submit, CSV and PDF letters with the codes, revoking with its
confirmation page and the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import AuditEntry, Ballot, Round, VotingCode, VotingCodeBatch, utcnow
from budgeting.phases import Phase
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE
from tests.web_admin.harness import (
    ADMIN,
    BOT,
    MODERATOR,
    Browser,
    add_staff,
    chat_turns,
    need_letter_font,
    vote_with_code,
)
from web_admin.app import create_app

FORM_TOKEN = "a-one-time-form-token-123"


@pytest.fixture
async def voting(sessions: async_sessionmaker[AsyncSession]) -> Round:
    """TOWN in its voting phase, asking for voting codes, and two staff accounts."""
    async with sessions() as session, session.begin():
        town, _ = await rounds_in_phase(session, utcnow(), Phase.VOTING, TOWN, WORKPLACE)
        await session.execute(
            update(Round).where(Round.id == town.id).values(requires_voting_code=True)
        )
    await add_staff(sessions)
    return town


async def admin(browser: Callable[[], Browser], round_: Round) -> Browser:
    staff = browser()
    await staff.login(*ADMIN)
    await staff.get(f"/admin/rounds/{round_.id}/voting-codes")
    return staff


async def issue(staff: Browser, round_: Round, count: str, area: str = "", token: str = ""):
    return await staff.post(
        f"/admin/rounds/{round_.id}/voting-codes",
        {"count": count, "area": area, "form_token": token or FORM_TOKEN},
        follow_redirects=True,
    )


async def code_count(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(VotingCode))


async def only_batch(sessions) -> VotingCodeBatch:
    async with sessions() as session:
        return (await session.scalars(select(VotingCodeBatch))).one()


async def csv_codes(staff: Browser, batch_id: int) -> list[dict[str, str]]:
    response = await staff.get(f"/admin/voting-code-batches/{batch_id}/codes.csv")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_staff_need_a_login_moderators_only_see_counts(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    visitor = browser()
    page = await visitor.client.get(f"/admin/rounds/{voting.id}/voting-codes")
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")
    boss = await admin(browser, voting)
    await issue(boss, voting, "3")
    batch = await only_batch(sessions)
    moderator = browser()
    await moderator.login(*MODERATOR)
    page = await moderator.get(f"/admin/rounds/{voting.id}/voting-codes")
    assert page.status_code == 200 and "Codes per area" in page.text
    assert "Issue voting codes" not in page.text and "codes.csv" not in page.text
    for url in (
        f"/admin/voting-code-batches/{batch.id}/codes.csv",
        f"/admin/voting-code-batches/{batch.id}/letters.pdf",
        f"/admin/voting-code-batches/{batch.id}/revoke",
        f"/admin/rounds/{voting.id}/voting-codes/revoke?code=AAAA",
    ):
        assert (await moderator.get(url)).status_code == 403, url
    refused = await moderator.post(
        f"/admin/rounds/{voting.id}/voting-codes",
        {"count": "5", "form_token": "another-form-token-456"},
    )
    assert refused.status_code == 403
    assert (
        await moderator.post(f"/admin/voting-code-batches/{batch.id}/revoke")
    ).status_code == 403
    assert await code_count(sessions) == 3


async def test_issuing_needs_the_csrf_token(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    boss = await admin(browser, voting)
    response = await boss.client.post(
        f"/admin/rounds/{voting.id}/voting-codes",
        data={"count": "5", "form_token": FORM_TOKEN},
    )
    assert response.status_code == 403
    boss.csrf = "forged"
    assert (await issue(boss, voting, "5")).status_code == 403
    assert await code_count(sessions) == 0


@pytest.mark.parametrize(
    ("count", "area"),
    [
        ("0", ""),
        ("50001", ""),
        ("-3", ""),
        ("five", ""),
        ("", ""),
        ("9" * 30, ""),
        ("3", "9" * 30),
        ("3", "123456789"),
        ("3", "abc"),
    ],
)
async def test_bad_numbers_and_areas_change_nothing(
    voting: Round, browser: Callable[[], Browser], sessions, count: str, area: str
) -> None:
    boss = await admin(browser, voting)
    page = await issue(boss, voting, count, area)
    assert page.status_code == 200
    assert "Issue from 1 to 50" in page.text or "Choose the whole round" in page.text
    assert await code_count(sessions) == 0


async def test_a_stale_or_forged_form_token_issues_nothing(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    boss = await admin(browser, voting)
    for token in ("short", "x" * 65, "<script>alert(1)</script>-token"):
        page = await issue(boss, voting, "3", token=token)
        assert "The form has expired" in page.text
    assert await code_count(sessions) == 0


async def test_a_double_submit_issues_once(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    boss = await admin(browser, voting)
    first = await issue(boss, voting, "4")
    assert "The voting codes are issued" in first.text
    again = await issue(boss, voting, "4")
    assert "already issued by the same form" in again.text
    assert await code_count(sessions) == 4
    fresh = await boss.get(f"/admin/rounds/{voting.id}/voting-codes")
    assert FORM_TOKEN not in fresh.text  # each page view has a new token


async def test_huge_and_unknown_ids_are_refused_cleanly(
    voting: Round, browser: Callable[[], Browser]
) -> None:
    boss = await admin(browser, voting)
    huge = "9" * 25
    for url in (
        f"/admin/rounds/{huge}/voting-codes",
        f"/admin/voting-code-batches/{huge}/codes.csv",
        f"/admin/voting-code-batches/{huge}/letters.pdf",
        f"/admin/voting-code-batches/{huge}/revoke",
    ):
        assert (await boss.get(url)).status_code in (400, 422), url
    assert (await boss.get("/admin/voting-code-batches/4242/codes.csv")).status_code == 404
    assert (await boss.get("/admin/rounds/4242/voting-codes")).status_code == 404
    await issue(boss, voting, "2")
    batch_id = (await boss.get(f"/admin/rounds/{voting.id}/voting-codes")).text
    for part in ("0", "2", huge):
        response = await boss.get(f"/admin/voting-code-batches/1/letters.pdf?part={part}")
        assert response.status_code in (400, 404, 422), part
    assert batch_id


async def test_csv_and_letters_hold_the_codes_per_area(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    boss = await admin(browser, voting)
    need_letter_font()
    area = voting.areas[1]
    await issue(boss, voting, "3", str(area.id))
    batch = await only_batch(sessions)
    assert batch.area_id == area.id
    rows = await csv_codes(boss, batch.id)
    assert [row["letter"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["link"] == f"https://t.me/{BOT}?start=code-{rows[0]['voting_code']}"
    letters = await boss.get(f"/admin/voting-code-batches/{batch.id}/letters.pdf?part=1")
    assert letters.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(letters.content)).pages
    assert len(pages) == 3
    for page, row in zip(pages, rows, strict=True):
        text = page.extract_text()
        assert row["voting_code"] in text and "Din röstkod" in text and "Scan the QR code" in text
    page = await boss.get(f"/admin/rounds/{voting.id}/voting-codes")
    assert "Letters 1–3 (PDF)" in page.text
    # the codes vote: one used in the chat is counted as used, in its area
    receipt = await chat_turns(sessions, "anna", vote_with_code(rows[0]["voting_code"], False))
    assert "receipt" in receipt
    page = await boss.get(f"/admin/rounds/{voting.id}/voting-codes")
    area_row = page.text.split(area.name("en"))[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in area_row.split('class="num">')[1:]] == [
        "3",
        "1",
        "0",
        "2",
    ]


async def test_revoking_a_used_code_keeps_its_ballot_and_says_so(
    voting: Round, browser: Callable[[], Browser], sessions
) -> None:
    boss = await admin(browser, voting)
    await issue(boss, voting, "3")
    batch = await only_batch(sessions)
    used, lost, spare = (row["voting_code"] for row in await csv_codes(boss, batch.id))
    assert "receipt" in await chat_turns(sessions, "berit", vote_with_code(used))
    unknown = await boss.get(
        f"/admin/rounds/{voting.id}/voting-codes/revoke?code=AAAA-BBBB-CCCC", follow_redirects=True
    )
    assert "This round has no such voting code" in unknown.text
    hostile = await boss.get(
        f"/admin/rounds/{voting.id}/voting-codes/revoke", params={"code": "<script>x</script>"}
    )
    assert hostile.status_code == 200 and "<script>x" not in hostile.text
    assert "&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;" in hostile.text  # shown back as text, to correct
    confirm = await boss.get(f"/admin/rounds/{voting.id}/voting-codes/revoke?code={used}")
    assert "A ballot was already cast with it" in confirm.text and "letter 1" in confirm.text
    assert await code_count(sessions) == 3  # looking changes nothing
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(VotingCode)
                .where(VotingCode.revoked_at.is_not(None))
            )
            == 0
        )
    done = await boss.post(
        f"/admin/rounds/{voting.id}/voting-codes/revoke", {"code": used}, follow_redirects=True
    )
    assert "The voting code is revoked" in done.text
    again = await boss.post(
        f"/admin/rounds/{voting.id}/voting-codes/revoke", {"code": used}, follow_redirects=True
    )
    assert "already revoked" in again.text
    confirm = await boss.get(f"/admin/voting-code-batches/{batch.id}/revoke")
    assert "2 unused codes will be revoked" in confirm.text
    assert "1 code already used stays valid" in confirm.text
    await boss.post(f"/admin/voting-code-batches/{batch.id}/revoke", follow_redirects=True)
    nothing = await boss.post(
        f"/admin/voting-code-batches/{batch.id}/revoke", follow_redirects=True
    )
    assert "no unused codes left" in nothing.text
    refused = await chat_turns(sessions, "cecilia", vote_with_code(lost)[:4])
    assert "revoked by the staff" in refused
    async with sessions() as session:
        assert len((await session.scalars(select(Ballot))).all()) == 1  # the ballot stays
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    revoked = [e for e in entries if e.action == "voting_code.revoke"]
    assert len(revoked) == 1 and revoked[0].details["ballot"] == "kept"
    assert [e.details["count"] for e in entries if e.action == "voting_codes.revoke_unused"] == [2]
    assert spare


async def test_codes_need_a_fixed_secret_key(voting: Round, sessions) -> None:
    import httpx

    app = create_app(sessions, bot_username=BOT)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        boss = Browser(client)
        await boss.login(*ADMIN)
        page = await boss.get(f"/admin/rounds/{voting.id}/voting-codes")
        assert "need a fixed secret key" in page.text
        await issue(boss, voting, "3")
    assert await code_count(sessions) == 0


async def test_a_missing_letter_font_is_said_clearly(voting: Round, sessions) -> None:
    import httpx

    app = create_app(sessions, secret_key="k" * 32, bot_username=BOT, letter_font="/no/such.ttf")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        boss = Browser(client)
        await boss.login(*ADMIN)
        await boss.get(f"/admin/rounds/{voting.id}/voting-codes")
        await issue(boss, voting, "2")
        batch = await only_batch(sessions)
        page = await boss.get(
            f"/admin/voting-code-batches/{batch.id}/letters.pdf", follow_redirects=True
        )
        assert "apt-get install fonts-dejavu-core" in page.text
