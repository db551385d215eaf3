"""The lot kept between counts, the result frozen at publication, and the published files
served to anyone, as an admin (and a resident with a browser) meet them over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import AuditEntry, PublishedFile, Round, TallyRun
from budgeting.pabulib import parse_pabulib
from tests.builders import cast_ballots
from tests.web_admin.harness import ADMIN, Browser
from tests.web_admin.test_setup import round_form


async def _state(sessions: async_sessionmaker[AsyncSession], round_id: int) -> tuple:
    async with sessions() as session:
        round_ = await session.get(Round, round_id)
        runs = await session.scalar(select(func.count()).select_from(TallyRun))
        return round_, runs


async def test_a_kept_lot_a_frozen_result_and_its_public_files(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        round_ = await session.get(Round, town.id)
        await session.refresh(round_, ["areas"])
        await cast_ballots(session, round_)
    admin = browser()
    await admin.login(*ADMIN)
    base = f"/admin/rounds/{town.id}"
    await admin.confirm(f"{base}/phase", {"phase": "decision"})
    await admin.get(f"{base}/results")
    await admin.post(f"{base}/results/count", {"rule": "greedy"})
    counted, _ = await _state(sessions, town.id)
    seed = counted.lot_seed
    assert seed is not None
    page = await admin.get(f"{base}/results")
    assert f"<code>{seed}</code>" in page.text and "Draw the lot again and count" in page.text
    await admin.post(f"{base}/results/count", {"rule": "mes"})
    await admin.post(f"{base}/results/redraw", {"rule": "greedy", "reason": " "})
    page = await admin.get(f"{base}/results")
    assert "Give a reason for drawing the lot again" in page.text
    kept, runs = await _state(sessions, town.id)
    assert kept.lot_seed == seed and runs == 2 * len(town.areas)
    await admin.post(f"{base}/results/redraw", {"rule": "greedy", "reason": "Seed misread"})
    redrawn, runs = await _state(sessions, town.id)
    assert redrawn.lot_seed != seed and runs == 3 * len(town.areas)
    async with sessions() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "tally.redraw"))
        ).one()
    assert entry.details["reason"] == "Seed misread" and entry.details["previous_seed"] == seed

    await admin.confirm(f"{base}/results/publish")
    async with sessions() as session:
        files = (await session.scalars(select(PublishedFile).order_by(PublishedFile.id))).all()
    assert len(files) == len(town.areas)
    page = await admin.get(f"{base}/results")
    assert "Draw the lot again" not in page.text and "Count the ballots" not in page.text
    resident = browser()  # not logged in
    for file in files:
        assert file.sha256 in page.text
        url = f"/files/rounds/{town.id}/{file.filename}"
        assert f'href="{url}"' in page.text
        download = await resident.get(url)
        assert download.status_code == 200
        assert download.headers["content-type"] == "text/plain; charset=utf-8"
        assert download.headers["content-disposition"] == f'attachment; filename="{file.filename}"'
        assert hashlib.sha256(download.content).hexdigest() == file.sha256
        assert parse_pabulib(download.text).meta["lot_seed"] == str(redrawn.lot_seed)
        exported = await admin.get(f"{base}/export/areas/{file.area_id}/pabulib")
        assert exported.content == download.content
    for missing in (
        f"/files/rounds/{town.id}/nothing.pb",
        f"/files/rounds/{town.id + 1}/{files[0].filename}",
        f"/files/rounds/{town.id}/..%2F{files[0].filename}",
    ):
        assert (await resident.get(missing)).status_code == 404

    # published: no recount, no second publication, none of the rules changed
    await admin.post(f"{base}/results/count", {"rule": "greedy"})
    page = await admin.get(f"{base}/results")
    assert "The results are published and frozen" in page.text
    await admin.post(f"{base}/results/redraw", {"rule": "greedy", "reason": "again"})
    frozen, runs_after = await _state(sessions, town.id)
    assert runs_after == runs and frozen.lot_seed == redrawn.lot_seed
    edit = await admin.get(f"{base}/edit")
    assert 'id="budget" name="budget"' in edit.text and "readonly" in edit.text
    same = round_form(
        slug=town.slug,
        budget=str(frozen.budget),
        min_ranks=str(frozen.min_ranks),
        max_ranks=str(frozen.max_ranks),
        tie_break=frozen.tie_break,
    )
    for change in (
        {"budget": "2 000 000"},
        {"max_ranks": "5"},
        {"ballot_kind": "approval"},
        {"min_project_score": "20"},
        {"tie_break": "listed"},
    ):
        refused = await admin.post(f"{base}/edit", {**same, **change})
        assert refused.status_code == 400, change
        assert "the ballot kind, K, the points, the minimum support" in refused.text
    area = town.areas[0]
    await admin.post(
        f"{base}/areas/{area.id}", {"name.sv.name": "Säter tätort", "budget": "400000"}
    )
    page = await admin.get(f"{base}/structure")
    assert "the area&#39;s budget can no longer change" in page.text
    saved = await admin.post(f"{base}/edit", {**same, "organisation": "Säters kommun"})
    assert saved.status_code == 303
    after, _ = await _state(sessions, town.id)
    assert (after.budget, after.max_ranks, after.organisation) == (
        frozen.budget,
        frozen.max_ranks,
        "Säters kommun",
    )
    async with sessions() as session:
        stored = (await session.scalars(select(PublishedFile).order_by(PublishedFile.id))).all()
    assert [(f.sha256, f.content) for f in stored] == [(f.sha256, f.content) for f in files]


async def test_an_admin_sets_up_each_ballot_kind(
    town: Round, browser: Callable[[], Browser], sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = browser()
    await admin.login(*ADMIN)
    form = await admin.get("/admin/rounds/new")
    assert "min_project_score_threshold" in form.text and 'name="ballot_kind"' in form.text
    bad = await admin.post(
        "/admin/rounds/new",
        round_form(ballot_kind="cumulative", points_total="6", points_per_project="8"),
    )
    assert bad.status_code == 400 and "At most the points each voter has." in bad.text
    unknown = await admin.post("/admin/rounds/new", round_form(ballot_kind="borda"))
    assert unknown.status_code == 400 and "Choose how residents vote." in unknown.text
    zero = await admin.post("/admin/rounds/new", round_form(min_project_score="0"))
    assert zero.status_code == 400
    for slug, kind, extra in (
        ("spread-2027", "cumulative", {"points_total": "12", "points_per_project": "4"}),
        ("choose-2027", "approval", {"max_ranks": "5", "min_project_score": "30"}),
    ):
        made = await admin.post(
            "/admin/rounds/new", round_form(slug=slug, ballot_kind=kind, **extra)
        )
        assert made.status_code == 303
    async with sessions() as session:
        spread = await session.scalar(select(Round).where(Round.slug == "spread-2027"))
        choose = await session.scalar(select(Round).where(Round.slug == "choose-2027"))
    assert (spread.ballot_kind, spread.points_total, spread.points_per_project) == (
        "cumulative",
        12,
        4,
    )
    assert spread.min_project_score == 1
    assert (choose.ballot_kind, choose.max_ranks, choose.min_project_score) == ("approval", 5, 30)
    edit = await admin.get(f"/admin/rounds/{choose.id}/edit")
    assert '<option value="approval" selected>' in edit.text and 'value="30"' in edit.text
