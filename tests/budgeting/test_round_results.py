"""Counting a round from the database for every ballot kind, the kept lot, the frozen
result, and the files published with it (recounted by our tally and by pabutools)."""

from __future__ import annotations

import hashlib
import random
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.demo import DEMO_LOT_SEED, seed_demo
from budgeting.models import (
    Area,
    AuditEntry,
    Ballot,
    BallotKind,
    BallotRank,
    Proposal,
    ProposalStatus,
    PublishedFile,
    Round,
    StaffUser,
    TallyRun,
    utcnow,
)
from budgeting.pabulib import parse_pabulib, tally_input_from_pabulib, write_pabulib
from budgeting.phases import Phase, schedule
from budgeting.services import results as published
from budgeting.services.errors import RuleViolation
from budgeting.services.exchange import export_pabulib
from budgeting.services.rounds import load_round
from budgeting.services.staff import results, setup
from budgeting.services.tally import count_round, tally_input
from budgeting.tally import GREEDY, GREEDY_NO_SKIP, draw_lot, run_tally
from tests.fakes.process import BUDGETBOT

NOW = utcnow()
KINDS = [BallotKind.RANKED, BallotKind.APPROVAL, BallotKind.CUMULATIVE]


async def a_round(
    session: AsyncSession,
    kind: BallotKind = BallotKind.RANKED,
    areas: tuple[tuple[int, tuple[int, ...]], ...] = ((300, (100, 100, 50, 120)),),
    **fields,
) -> Round:
    """A stored round in the decision phase; each area is (budget, costs of its projects)."""
    fields.setdefault("slug", f"results-{kind}")
    round_ = Round(
        budget=sum(budget for budget, _costs in areas),
        ballot_kind=kind,
        max_ranks=3,
        points_total=6,
        points_per_project=3,
        tie_break="lot",
        texts={"sv": {"title": "Resultat"}},
        areas=[
            Area(position=i, budget=budget, texts={"sv": {"name": f"Område {i}"}})
            for i, (budget, _costs) in enumerate(areas)
        ],
        criteria=[],
        **fields,
    )
    schedule(round_, Phase.DECISION, NOW)
    session.add(round_)
    await session.flush()
    for area, (_budget, costs) in zip(round_.areas, areas, strict=True):
        for n, cost in enumerate(costs):
            session.add(
                Proposal(
                    round_id=round_.id,
                    area_id=area.id,
                    title=f"Projekt {area.position}.{n}",
                    description="-",
                    estimated_cost=cost,
                    status=ProposalStatus.ACCEPTED,
                )
            )
    await session.flush()
    return round_


async def on_ballot(session: AsyncSession, area: Area) -> list[int]:
    stmt = select(Proposal.id).where(Proposal.area_id == area.id).order_by(Proposal.id)
    return list((await session.scalars(stmt)).all())


async def vote(
    session: AsyncSession,
    round_: Round,
    area: Area,
    choices: list[int],
    points: list[int] | None = None,
) -> None:
    """One ballot as the ballot service stores it: ranks by position, points if cumulative."""
    n = await session.scalar(select(Ballot.id).order_by(Ballot.id.desc()).limit(1)) or 0
    ballot = Ballot(
        round_id=round_.id, area_id=area.id, participant_id=None, receipt_code=f"R-{n + 1:06d}"
    )
    ballot.ranks = [
        BallotRank(position=i, proposal_id=pid, points=points[i] if points else None)
        for i, pid in enumerate(choices)
    ]
    session.add(ballot)
    await session.flush()


async def random_ballots(
    session: AsyncSession, round_: Round, rng: random.Random, voters: int
) -> None:
    for area in round_.areas:
        ids = await on_ballot(session, area)
        for _ in range(voters):
            if round_.ballot_kind == BallotKind.CUMULATIVE:
                chosen = rng.sample(ids, rng.randint(1, min(3, len(ids))))
                await vote(session, round_, area, chosen, [rng.randint(1, 3) for _ in chosen])
            else:
                await vote(session, round_, area, rng.sample(ids, rng.randint(0, min(3, len(ids)))))


async def a_staff_member(session: AsyncSession) -> StaffUser:
    staff = StaffUser(email="counter@example.org", password_hash="-", role="admin")
    session.add(staff)
    await session.flush()
    return staff


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule", [GREEDY, GREEDY_NO_SKIP])
async def test_greedy_summed_by_the_database_records_what_counting_in_python_does(
    sessions, kind: BallotKind, rule: str
) -> None:
    rng = random.Random(f"{kind}{rule}")
    areas = tuple(
        (rng.randrange(100, 400, 10), tuple(rng.choices([40, 50, 90, 100], k=6))) for _ in range(2)
    )
    async with sessions() as session, session.begin():
        round_ = await a_round(session, kind, areas, min_project_score=rng.choice([1, 4, 8]))
        await random_ballots(session, round_, rng, voters=25)
        runs = await count_round(session, round_, rule, now=NOW)
        for area, run in zip(round_.areas, runs, strict=True):
            inp = await tally_input(session, round_, area, run.seed)
            expected = run_tally(inp, rule).to_dict()
            recorded = {key: run.result[key] for key in expected}
            assert recorded == expected
            assert run.result["ballots"] == len([b for b in inp.ballots if b])
            assert run.result["votes"] == {
                p.id: sum(p.id in b for b in inp.ballots) for p in inp.projects
            }
            assert inp.kind == {"ranked": "ordinal"}.get(kind, kind)
            assert inp.min_score == round_.min_project_score
        assert any(step["outcome"] != "selected" for run in runs for step in run.result["steps"])


async def test_cumulative_ballots_count_their_points_and_approval_ballots_each_choice(
    sessions,
) -> None:
    async with sessions() as session, session.begin():
        cumulative = await a_round(session, BallotKind.CUMULATIVE)
        a, b, c, _d = await on_ballot(session, cumulative.areas[0])
        await vote(session, cumulative, cumulative.areas[0], [a, b], [1, 3])
        await vote(session, cumulative, cumulative.areas[0], [c], [2])
        (run,) = await count_round(session, cumulative, GREEDY, now=NOW)
        assert {int(k): v for k, v in run.result["points"].items() if v} == {a: 1, b: 3, c: 2}
        approval = await a_round(session, BallotKind.APPROVAL, slug="approval-2")
        a, b, c, _d = await on_ballot(session, approval.areas[0])
        await vote(session, approval, approval.areas[0], [a, b, c])
        await vote(session, approval, approval.areas[0], [c])
        (run,) = await count_round(session, approval, GREEDY, now=NOW)
        assert {int(k): v for k, v in run.result["points"].items() if v} == {a: 1, b: 1, c: 2}


async def test_the_lot_is_drawn_once_and_redrawn_only_with_a_reason(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session)
        staff = await a_staff_member(session)
        await random_ballots(session, round_, random.Random(3), voters=10)
        assert round_.lot_seed is None
        first = await results.count_ballots(session, staff, round_, GREEDY, NOW)
        seed = round_.lot_seed
        assert seed is not None and first[0].seed == seed
        again = await results.count_ballots(session, staff, round_, "mes", NOW)
        assert again[0].seed == seed and round_.lot_seed == seed
        with pytest.raises(RuleViolation) as refused:
            await results.redraw_lot(session, staff, round_, GREEDY, "   ", NOW)
        assert refused.value.code == "redraw_reason"
        assert round_.lot_seed == seed
        redrawn = await results.redraw_lot(session, staff, round_, GREEDY, "Drawn twice", NOW)
        assert round_.lot_seed == redrawn[0].seed != seed
        later = await results.count_ballots(session, staff, round_, GREEDY, NOW)
        assert later[0].seed == round_.lot_seed
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        assert [e.action for e in entries] == [
            "tally.count",
            "tally.count",
            "tally.redraw",
            "tally.count",
        ]
        assert entries[2].details["reason"] == "Drawn twice"
        assert entries[2].details["previous_seed"] == seed
        assert entries[2].details["seed"] == round_.lot_seed
        assert [e.details["lot"] for e in entries if e.action == "tally.count"] == [
            "drawn",
            "kept",
            "kept",
        ]


async def test_a_published_round_refuses_a_recount_and_changes_to_what_it_rests_on(
    sessions,
) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session, areas=((300, (100, 100, 50)), (200, (90, 80))))
        staff = await a_staff_member(session)
        await random_ballots(session, round_, random.Random(4), voters=10)
        runs = await results.count_ballots(session, staff, round_, GREEDY, NOW)
        await results.publish(session, staff, round_, NOW)
        for attempt in (
            results.count_ballots(session, staff, round_, GREEDY, NOW),
            results.redraw_lot(session, staff, round_, GREEDY, "again", NOW),
            count_round(session, round_, GREEDY),
        ):
            with pytest.raises(RuleViolation) as refused:
                await attempt
            assert refused.value.code == "count_frozen"
        with pytest.raises(RuleViolation) as refused:
            await results.publish(session, staff, round_, NOW)
        assert refused.value.code == "already_published"
        keep = {
            name: getattr(round_, name)
            for name in ("slug", "budget", "max_ranks", "min_ranks", "tie_break", "ballot_kind")
        }
        for change in (
            {"budget": 600},
            {"max_ranks": 5},
            {"ballot_kind": "approval"},
            {"min_project_score": 3},
            {"points_total": 12},
        ):
            with pytest.raises(RuleViolation) as refused:
                await setup.save_round(session, staff, round_, {**keep, **change}, NOW)
            assert refused.value.code == "settings_frozen"
        area = round_.areas[0]
        with pytest.raises(RuleViolation) as refused:
            await setup.save_area(
                session, staff, round_, area, {"sv": {"name": "X"}}, 250, None, NOW
            )
        assert refused.value.code == "area_budget_frozen"
        saved = await setup.save_round(
            session, staff, round_, {**keep, "organisation": "Säter"}, NOW
        )
        assert saved.organisation == "Säter" and round_.budget == 500 and round_.max_ranks == 3
        stored = (await session.scalars(select(TallyRun).order_by(TallyRun.id))).all()
        assert [r.id for r in stored] == [r.id for r in runs]


async def test_each_area_file_is_published_once_with_its_hash(sessions) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(session, areas=((300, (100, 100, 50)), (200, (90, 80))))
        staff = await a_staff_member(session)
        await random_ballots(session, round_, random.Random(5), voters=12)
        runs = await results.count_ballots(session, staff, round_, GREEDY, NOW)
        assert await published.published_files(session, round_) == []
        await results.publish(session, staff, round_, NOW)
        files = await published.published_files(session, round_)
        assert [f.area_id for f in files] == [a.id for a in round_.areas]
        for file, area, run in zip(files, round_.areas, runs, strict=True):
            assert file.sha256 == hashlib.sha256(file.content.encode()).hexdigest()
            assert published.file_path(round_.id, file.filename) == (
                f"/files/rounds/{round_.id}/{file.filename}"
            )
            instance = parse_pabulib(file.content)
            assert instance.project_ids == run.result["order"]
            assert instance.selected_ids == [
                pid for pid in run.result["order"] if pid in run.result["selected"]
            ]
            assert instance.meta["rule"] == "greedy"
            assert instance.meta["vote_type"] == "ordinal"
            assert instance.meta["tie_break"] == "lot"
            assert instance.meta["lot_seed"] == str(round_.lot_seed)
            assert instance.meta["min_project_score_threshold"] == "1"
            receipts = {row["receipt"] for row in instance.votes}
            stmt = select(Ballot.receipt_code).where(Ballot.area_id == area.id, Ballot.ranks.any())
            assert receipts == set((await session.scalars(stmt)).all())
            # what staff export afterwards is that very file, whatever changed since
            first = await session.get(Proposal, int(instance.project_ids[0]))
            first.title = "Renamed after publication"
            assert await export_pabulib(session, round_, area.id) == file.content
        rows = (await session.scalars(select(PublishedFile))).all()
        assert len(rows) == 2


def recount_with_pabutools(text: str) -> list[str]:
    """pabutools' greedy by score on a pabulib text: projects below the file's
    ``min_project_score_threshold`` dropped, ties broken by the order of PROJECTS."""
    from pabutools.election import Instance
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare
    from pabutools.tiebreaking import TieBreakingRule

    ours = parse_pabulib(text)
    instance, profile = parse_pabulib_from_string(text)
    kind, k = ours.vote_type, int(ours.meta.get("max_length") or 0)

    def score(ballot, project) -> int:
        if project not in ballot:
            return 0
        if kind == "ordinal":
            return k - ballot.position(project)
        return ballot[project] if kind == "cumulative" else 1

    def weighted(instance, profile, ballot, project, precomputed) -> int:
        return score(ballot, project) * project.cost  # greedy orders by satisfaction / cost

    class ScoreTimesCost(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot) -> None:
            super().__init__(instance, profile, ballot, weighted)

    threshold = int(ours.meta.get("min_project_score_threshold") or 0)
    totals = {p: sum(score(b, p) * profile.multiplicity(b) for b in profile) for p in instance}
    kept = Instance(
        [p for p in instance if totals[p] >= threshold], budget_limit=instance.budget_limit
    )
    order = {pid: i for i, pid in enumerate(ours.project_ids)}
    outcome = greedy_utilitarian_welfare(
        kept,
        profile,
        sat_class=ScoreTimesCost,
        tie_breaking=TieBreakingRule(lambda inst, prof, proj: order[proj.name]),
    )
    return sorted(p.name for p in outcome)


def recount_with_budgetbot(path: Path) -> list[str]:
    result = subprocess.run(
        [BUDGETBOT, "tally", "--pabulib", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.split())


async def a_tie_the_lot_decides(session: AsyncSession, round_: Round) -> None:
    """Ballots giving the first two projects of each area equal points (more than the
    others); each area's budget fits only one of them.  A seed is drawn (as the first count
    would) under which the lot puts the later-numbered project first in every area."""
    cumulative = round_.ballot_kind == BallotKind.CUMULATIVE
    for area in round_.areas:
        a, b, c, *rest = await on_ballot(session, area)
        for choices in ([a, b, c], [b, a, c], [a, b], [b, a], *([x, c] for x in rest)):
            points = [2 if pid in (a, b) else 1 for pid in choices] if cumulative else None
            await vote(session, round_, area, choices, points)
    listed = [[str(p) for p in await on_ballot(session, area)] for area in round_.areas]
    for seed in range(1, 1000):
        if all(
            draw_lot(ids, seed).index(ids[1]) < draw_lot(ids, seed).index(ids[0]) for ids in listed
        ):
            round_.lot_seed = seed
            return
    raise AssertionError("no seed reverses the ties")


def read_by_our_tally(text: str) -> bool:
    """Whether budgeting/pabulib.py reads this vote type (approval and cumulative come with
    the tally part of issue #16; ordinal files it always read)."""
    try:
        tally_input_from_pabulib(parse_pabulib(text))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
async def test_the_published_files_of_a_tie_drawn_by_lot_recount_to_the_same_projects(
    sessions, tmp_path: Path, kind: BallotKind
) -> None:
    async with sessions() as session, session.begin():
        round_ = await a_round(
            session, kind, areas=((160, (100, 100, 50, 30)), (130, (80, 80, 40, 60)))
        )
        staff = await a_staff_member(session)
        await a_tie_the_lot_decides(session, round_)
        runs = await results.count_ballots(session, staff, round_, GREEDY, NOW)
        await results.publish(session, staff, round_, NOW)
        files = await published.published_files(session, round_)
        listed = [[str(p) for p in await on_ballot(session, a)] for a in round_.areas]
    assert len(files) == len(runs) == 2
    for file, run, ids in zip(files, runs, listed, strict=True):
        path = tmp_path / file.filename
        path.write_bytes(file.content.encode("utf-8"))
        official = sorted(run.result["selected"])
        assert ids[1] in official and ids[0] not in official  # the lot, not the listing, won
        assert parse_pabulib(file.content).vote_type == {"ranked": "ordinal"}.get(kind, kind)
        if kind == BallotKind.RANKED or read_by_our_tally(file.content):
            assert recount_with_budgetbot(path) == official
        assert recount_with_pabutools(file.content) == official
        # the same file with PROJECTS in listed order would have chosen otherwise
        instance = parse_pabulib(file.content)
        instance.projects.sort(key=lambda row: int(row["project_id"]))
        assert recount_with_pabutools(write_pabulib(instance)) != official


async def test_the_demo_round_recounts_the_same_from_its_published_files(
    sessions, tmp_path: Path
) -> None:
    async with sessions() as session, session.begin():
        residents = await seed_demo(session, NOW, Phase.DECISION)
        round_ = await load_round(session, residents.id)
        assert round_.lot_seed == DEMO_LOT_SEED
        files = await published.published_files(session, round_)
        runs = {r.area_id: r for r in await published.published_results(session, round_)}
        skedvi = next(a for a in round_.areas if a.name("sv").startswith("Stora Skedvi"))
    assert {f.area_id for f in files} == set(runs)
    assert runs[skedvi.id].result["ties"], "the demo's Stora Skedvi tie is drawn by lot"
    for file in files:
        path = tmp_path / file.filename
        path.write_bytes(file.content.encode("utf-8"))
        official = sorted(runs[file.area_id].result["selected"])
        assert recount_with_budgetbot(path) == official
        assert recount_with_pabutools(file.content) == official
