"""Counting a round's ballots per area, recording the count, and publishing the result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import (
    ON_BALLOT,
    Area,
    Ballot,
    BallotRank,
    NotificationKind,
    Proposal,
    ProposalStatus,
    Round,
    TallyRun,
    utcnow,
)
from budgeting.services.notifications import enqueue
from budgeting.tally import (
    TallyInput,
    TallyProject,
    TallyResult,
    draw_lot,
    explain_lines,
    file_order_note,
    lot_note,
    new_seed,
    run_tally,
)


async def tally_input(session: AsyncSession, round_: Round, area: Area, seed: int) -> TallyInput:
    """The area's projects (in tie-break order) and ballots, read in two queries."""
    proposals = (
        await session.scalars(
            select(Proposal)
            .where(
                Proposal.area_id == area.id,
                Proposal.status.in_([s.value for s in ON_BALLOT]),
            )
            .order_by(Proposal.id)
        )
    ).all()
    projects = {str(p.id): TallyProject(str(p.id), p.cost, p.title) for p in proposals}
    order = list(projects) if round_.tie_break == "listed" else draw_lot(list(projects), seed)
    ballots = await _rankings(session, round_.id, area.id)
    return TallyInput(
        projects=tuple(projects[pid] for pid in order),
        budget=area.budget,
        ballots=tuple(ballots),
        max_ranks=round_.max_ranks,
    )


async def _rankings(session: AsyncSession, round_id: int, area_id: int) -> list[tuple[str, ...]]:
    """Every ballot of the area as project ids best first, in ballot order."""
    where = (Ballot.round_id == round_id, Ballot.area_id == area_id)
    if session.bind.dialect.name == "postgresql":
        ranked = func.array_agg(aggregate_order_by(BallotRank.proposal_id, BallotRank.position))
        rows = await session.execute(
            select(ranked)
            .join(Ballot, Ballot.id == BallotRank.ballot_id)
            .where(*where)
            .group_by(BallotRank.ballot_id)
            .order_by(BallotRank.ballot_id)
        )
        return [tuple(map(str, ranking)) for (ranking,) in rows]
    rows = await session.execute(
        select(BallotRank.ballot_id, BallotRank.proposal_id)
        .join(Ballot, Ballot.id == BallotRank.ballot_id)
        .where(*where)
        .order_by(BallotRank.ballot_id, BallotRank.position)
    )
    ballots: list[tuple[str, ...]] = []
    current_id, current = None, []
    for ballot_id, proposal_id in rows:
        if ballot_id != current_id:
            if current:
                ballots.append(tuple(current))
            current_id, current = ballot_id, []
        current.append(str(proposal_id))
    if current:
        ballots.append(tuple(current))
    return ballots


async def count_round(
    session: AsyncSession,
    round_: Round,
    rule: str = "greedy",
    now: datetime | None = None,
    seed: int | None = None,
) -> list[TallyRun]:
    """Count every area and record each count (unpublished), with the lot's seed."""
    seed = new_seed() if seed is None else seed
    runs = []
    for area in round_.areas:
        inp = await tally_input(session, round_, area, seed)
        result = run_tally(inp, rule)
        record = result.to_dict()
        record["seed"] = seed
        record["tie_break"] = round_.tie_break
        record["order"] = [p.id for p in inp.projects]
        record["projects"] = {p.id: {"cost": p.cost, "name": p.name} for p in inp.projects}
        record["ballots"] = len(inp.ballots)
        record["explanation"] = {
            locale: explanation(inp, result, round_, seed, locale) for locale in LANGUAGES
        }
        run = TallyRun(
            round_id=round_.id,
            area_id=area.id,
            rule=rule,
            seed=seed,
            result=record,
            created_at=now or utcnow(),
        )
        session.add(run)
        runs.append(run)
    await session.flush()
    return runs


async def latest_runs(session: AsyncSession, round_: Round) -> list[TallyRun]:
    """The newest count of each area, whether published or not."""
    runs = (
        await session.scalars(
            select(TallyRun)
            .where(TallyRun.round_id == round_.id)
            .order_by(TallyRun.created_at.desc(), TallyRun.id.desc())
        )
    ).all()
    newest: dict[int, TallyRun] = {}
    for run in runs:
        newest.setdefault(run.area_id, run)
    return list(newest.values())


async def publish_results(session: AsyncSession, round_: Round, now: datetime) -> list[TallyRun]:
    """Publish the newest count of each area, mark proposals selected, tell participants."""
    runs = await latest_runs(session, round_)
    if not runs:
        raise ValueError("nothing to publish: count the ballots first")
    selected = {int(pid) for run in runs for pid in run.result.get("selected", [])}
    for run in runs:
        run.published_at = now
    on_ballot = [s.value for s in ON_BALLOT]
    await session.execute(
        update(Proposal)
        .where(Proposal.round_id == round_.id, Proposal.status.in_(on_ballot))
        .values(status=ProposalStatus.NOT_SELECTED.value)
    )
    if selected:
        await session.execute(
            update(Proposal)
            .where(Proposal.id.in_(selected))
            .values(status=ProposalStatus.SELECTED.value)
        )
    round_.results_published_at = now
    await enqueue(session, NotificationKind.RESULTS, round_id=round_.id, due_at=now)
    await session.flush()
    return runs


def explanation(
    inp: TallyInput, result: TallyResult, round_: Round, seed: int, locale: str
) -> list[str]:
    """The step-by-step account of a count in one language."""
    t = translator(locale)
    note = file_order_note(t.gettext) if round_.tie_break == "listed" else lot_note(seed, t.gettext)
    return explain_lines(result, inp, t.gettext, t.money, t.number, note)


def explain_run(run: TallyRun, locale: str) -> list[str]:
    """The explanation recorded with a count, in ``locale`` (or Swedish)."""
    texts = run.result.get("explanation", {})
    return texts.get(locale) or texts.get("sv") or []
