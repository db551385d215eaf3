"""Importing a real pabulib file, counting it from the database, exporting it again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from budgeting.models import Ballot, Proposal
from budgeting.pabulib import parse_pabulib, tally_pabulib
from budgeting.services.exchange import export_pabulib, import_pabulib, proposals_csv
from budgeting.services.rounds import load_round
from budgeting.services.tally import count_round, explain_run, publish_results

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
BRONOWICE = PABULIB / "Poland_Krakow_2019_Bronowice.pb"


async def test_import_count_export_roundtrip(sessions, tmp_path) -> None:
    official = parse_pabulib(BRONOWICE).selected_ids
    async with sessions() as session, session.begin():
        imported = await import_pabulib(session, BRONOWICE)
        round_id = imported.id
    async with sessions() as session, session.begin():
        round_ = await load_round(session, round_id)
        (run,) = await count_round(session, round_, "greedy")
        external = dict((await session.execute(select(Proposal.id, Proposal.external_id))).all())
        assert sorted(external[int(pid)] for pid in run.result["selected"]) == sorted(official)
        assert run.result["ballots"] == 3126
        assert any("did not fit" in line for line in explain_run(run, "en"))
        await publish_results(session, round_, run.created_at)
        text = await export_pabulib(session, round_, round_.areas[0].id)
    path = tmp_path / "export.pb"
    path.write_text(text, encoding="utf-8")
    exported = parse_pabulib(path)
    _inp, recount = tally_pabulib(path, "greedy")
    assert sorted(recount.selected) == sorted(exported.selected_ids)
    assert sorted(external[int(pid)] for pid in recount.selected) == sorted(official)
    receipts = [row["receipt"] for row in exported.votes]
    assert len(receipts) == len(set(receipts)) == 3126
    assert exported.meta["vote_type"] == "ordinal" and exported.meta["currency"] == "SEK"


async def test_proposals_csv_neutralises_formulas(sessions) -> None:
    async with sessions() as session, session.begin():
        imported = await import_pabulib(session, BRONOWICE)
        first = (await session.scalars(select(Proposal).order_by(Proposal.id))).first()
        first.title = '=HYPERLINK("http://evil")'
        round_ = await load_round(session, imported.id)
        text = await proposals_csv(session, round_)
    assert "'=HYPERLINK" in text


async def test_importing_the_same_export_twice_keeps_receipts_unique(sessions, tmp_path) -> None:
    async with sessions() as session, session.begin():
        first = await import_pabulib(session, BRONOWICE)
        text = await export_pabulib(session, first, first.areas[0].id)
    async with sessions() as session, session.begin():
        await import_pabulib(session, text)
        await import_pabulib(session, text)
    async with sessions() as session:
        codes = (await session.scalars(select(Ballot.receipt_code))).all()
    assert len(codes) == len(set(codes)) == 3 * 3126


async def test_names_with_separators_quotes_and_newlines_survive_the_export(
    sessions, tmp_path
) -> None:
    from pabutools.election.pabulib import parse_pabulib_from_string

    awkward = ['Bänkar; fler "vid" ån', "Rad ett\nrad två", 'a;"b";\n;c']
    async with sessions() as session, session.begin():
        imported = await import_pabulib(session, BRONOWICE)
        first = (await session.scalars(select(Proposal).order_by(Proposal.id).limit(3))).all()
        for proposal, title in zip(first, awkward, strict=True):
            proposal.title = title
        round_ = await load_round(session, imported.id)
        (run,) = await count_round(session, round_, "greedy")
        await publish_results(session, round_, run.created_at)
        text = await export_pabulib(session, round_, round_.areas[0].id)
    path = tmp_path / "awkward.pb"
    path.write_text(text, encoding="utf-8")
    exported = parse_pabulib(path)
    names = {row["project_id"]: row["name"] for row in exported.projects}
    assert [names[str(p.id)] for p in first] == awkward
    _inp, recount = tally_pabulib(path, "greedy")
    assert sorted(recount.selected) == sorted(run.result["selected"])
    instance, profile = parse_pabulib_from_string(text)
    assert len(instance) == len(exported.projects) and len(profile) == 3126
    assert {p.name: p.cost for p in instance} == {
        row["project_id"]: int(row["cost"]) for row in exported.projects
    }
