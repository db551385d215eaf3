"""Importing a pabulib file from the admin: upload, preview, import once; a broken file
gets the CLI's line, and a moderator, a forged form or an oversized file change nothing."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import AuditEntry, Ballot, Proposal, Round
from tests.fakes.process import BUDGETBOT
from tests.web_admin.harness import ADMIN, BOT, MODERATOR
from web_admin.app import create_app
from web_admin.uploads import MAX_PABULIB_BYTES

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
BRONOWICE = (PABULIB / "Poland_Krakow_2019_Bronowice.pb").read_bytes()
BROKEN = (
    "META\nkey;value\nbudget;100\nvote_type;ordinal\n"
    "PROJECTS\nproject_id;cost;name\n1;50;A\n2;abc;B\n"
    "VOTES\nvoter_id;vote\n1;1,2\n"
)


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def app(sessions: async_sessionmaker[AsyncSession], tmp_path: Path, uploads: Path) -> FastAPI:
    return create_app(
        sessions,
        secret_key="test secret key",
        media_dir=tmp_path / "media",
        upload_dir=uploads,
        bot_username=BOT,
    )


@pytest.fixture
def cli_line(tmp_path: Path) -> str:
    """What ``budgetbot import --pabulib broken.pb`` prints of BROKEN (English)."""
    (tmp_path / "broken.pb").write_text(BROKEN, encoding="utf-8")
    cli = subprocess.run(
        [BUDGETBOT, "import", "--pabulib", "broken.pb", "--lang", "en"],
        cwd=tmp_path,
        env={"BUDGETBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 2 and cli.stdout == ""
    return cli.stderr.strip()


def kept(uploads: Path) -> list[Path]:
    """The files of the uploads waiting for their import."""
    return sorted(uploads.iterdir()) if uploads.exists() else []


def upload(name: str, content: bytes) -> dict:
    return {"file": (name, content, "application/octet-stream")}


async def rounds(sessions: async_sessionmaker[AsyncSession]) -> list[Round]:
    async with sessions() as session:
        return list((await session.scalars(select(Round).order_by(Round.id))).all())


async def test_an_admin_uploads_previews_and_imports_once(
    town: Round, browser, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    before = len(await rounds(sessions))
    admin = browser()
    await admin.login(*ADMIN)
    assert "/admin/imports/pabulib" in (await admin.get("/admin/")).text
    form = await admin.get("/admin/imports/pabulib")
    assert 'enctype="multipart/form-data"' in form.text
    sent = await admin.post("/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE))
    assert sent.status_code == 303
    preview_url = sent.headers["location"]
    token = preview_url.rsplit("/", 1)[1]
    page = await admin.get(preview_url)
    assert page.status_code == 200
    for shown in (
        "Preview of Bronowice.pb",
        "District PB in Kraków, Bronowice",
        "844,400 PLN",
        "Ranked (ordinal)",
        "Greedy by points (Kraków's rule) (<code>greedy</code>)",
        "The first 10 projects of the file",
    ):
        assert shown in page.text, page.text[page.text.find("<dl") : page.text.find("</dl>")]
    assert len(await rounds(sessions)) == before  # nothing saved by a preview

    imported = await admin.post(f"/admin/imports/pabulib/{token}/import")
    assert imported.status_code == 303
    round_url = imported.headers["location"]
    assert "imported as a closed round" in (await admin.get(round_url)).text
    again = await admin.post(f"/admin/imports/pabulib/{token}/import")
    assert again.headers["location"] == round_url
    assert "already imported" in (await admin.get(round_url)).text

    after = await rounds(sessions)
    assert len(after) == before + 1
    new = after[-1]
    assert round_url == f"/admin/rounds/{new.id}"
    async with sessions() as session:
        projects = await session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.round_id == new.id)
        )
        ballots = await session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.round_id == new.id)
        )
        [entry] = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "round.import"))
        ).all()
    text = BRONOWICE.decode("utf-8")
    assert projects == int(text.split("num_projects;")[1].split()[0])
    assert ballots == int(text.split("num_votes;")[1].split()[0])
    assert f"<dd>{ballots:,}</dd>" in page.text and f"<dd>{projects}</dd>" in page.text
    assert entry.details["sha256"] in page.text and entry.target == f"round:{new.id}"
    assert kept(uploads) == []  # the upload is gone once imported


async def test_a_broken_file_gets_the_clis_line_in_the_staff_members_language(
    town: Round,
    browser,
    sessions: async_sessionmaker[AsyncSession],
    uploads: Path,
    cli_line: str,
) -> None:
    line = cli_line
    assert line == "Cannot count broken.pb: cost of project '2': 'abc' is not a number"
    before = len(await rounds(sessions))
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get("/admin/imports/pabulib")
    refused = await admin.post("/admin/imports/pabulib", files=upload("broken.pb", BROKEN.encode()))
    assert refused.status_code == 400
    assert line.replace("'", "&#39;") in refused.text
    await admin.get("/admin/imports/pabulib?lang=sv")
    swedish = await admin.post("/admin/imports/pabulib", files=upload("broken.pb", b"\xff\xfe"))
    assert swedish.status_code == 400 and "Kan inte räkna broken.pb: " in swedish.text
    assert len(await rounds(sessions)) == before
    assert kept(uploads) == []


async def test_a_moderator_is_refused(town: Round, browser) -> None:
    moderator = browser()
    await moderator.login(*MODERATOR)
    assert "/admin/imports/pabulib" not in (await moderator.get("/admin/")).text
    assert (await moderator.get("/admin/imports/pabulib")).status_code == 403
    sent = await moderator.post("/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE))
    assert sent.status_code == 403


async def test_without_the_csrf_token_nothing_is_kept(town: Round, browser, uploads: Path) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    forged = await admin.client.post(
        "/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE)
    )
    assert forged.status_code == 403
    assert kept(uploads) == []
    sent = await admin.post("/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE))
    token = sent.headers["location"].rsplit("/", 1)[1]
    forged = await admin.client.post(f"/admin/imports/pabulib/{token}/import")
    assert forged.status_code == 403


async def test_an_oversized_file_is_refused(
    town: Round, browser, sessions: async_sessionmaker[AsyncSession], uploads: Path
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    await admin.get("/admin/imports/pabulib")
    just_over = BRONOWICE + b"\n" * (MAX_PABULIB_BYTES + 1)
    refused = await admin.post(
        "/admin/imports/pabulib", files=upload("big.pb", just_over[: MAX_PABULIB_BYTES + 1])
    )
    assert refused.status_code == 413 and "big.pb is larger than 8 MB." in refused.text
    far_over = await admin.post("/admin/imports/pabulib", files=upload("big.pb", just_over * 2))
    assert far_over.status_code == 413
    assert kept(uploads) == []


async def test_another_session_cannot_use_an_upload(town: Round, browser) -> None:
    first, second = browser(), browser()
    await first.login(*ADMIN)
    await second.login(*ADMIN)
    sent = await first.post("/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE))
    preview_url = sent.headers["location"]
    seen = await second.get(preview_url)
    assert seen.status_code == 303 and seen.headers["location"] == "/admin/imports/pabulib"
    taken = await second.post(preview_url + "/import")
    assert taken.status_code == 303 and taken.headers["location"] == "/admin/imports/pabulib"
    assert "no longer kept" in (await second.get("/admin/imports/pabulib")).text
    assert (await first.get(preview_url)).status_code == 200
    named = await first.post("/admin/imports/pabulib", files=upload("<i>x.pb", BRONOWICE))
    shown = (await first.get(named.headers["location"])).text
    assert "Preview of &lt;i&gt;x.pb" in shown and "<i>x" not in shown
    assert (await first.get("/admin/imports/pabulib/not-a-token")).status_code == 400


async def test_two_confirmations_at_once_create_one_round(
    town: Round, browser, sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = len(await rounds(sessions))
    admin = browser()
    await admin.login(*ADMIN)
    sent = await admin.post("/admin/imports/pabulib", files=upload("Bronowice.pb", BRONOWICE))
    url = sent.headers["location"] + "/import"
    first, second = await asyncio.gather(admin.post(url), admin.post(url))
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(await rounds(sessions)) == before + 1
