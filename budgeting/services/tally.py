"""Counting a round's ballots per area, recording the count, and publishing the result.

Ties are broken by the round's tie-break order: the proposals as listed, or a lot drawn
with a seed that is drawn at the first count, kept in ``Round.lot_seed`` and reused by
every later count (staff may redraw it, with a reason, until the results are published).
Greedy needs only each project's score, which the database sums; MES reads the ballots.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from budgeting.services import rules
from budgeting.services.exchange import published_file, vote_type
from budgeting.services.notifications import enqueue
from budgeting.tally import (
    APPROVAL,
    CUMULATIVE,
    GREEDY,
    GREEDY_NO_SKIP,
    TallyInput,
    TallyProject,
    TallyResult,
    draw_lot,
    explain_lines,
    file_order_note,
    greedy_from_points,
    lot_note,
    new_seed,
    run_tally,
)

SUMMED_RULES = (GREEDY, GREEDY_NO_SKIP)
"""Rules that need only each project's score, which the database sums."""


def lot_seed(round_: Round, seed: int | None = None, redraw: bool = False) -> int:
    """The seed this count uses: ``seed`` if given, else the kept one (or a new one at the
    first count, or when staff redraw).  Kept in ``round_.lot_seed`` for a ``lot`` round;
    a round whose ties follow the listed order keeps none (its counts record 0)."""
    if round_.tie_break != "lot":
        return seed if seed is not None else 0
    if seed is None:
        seed = new_seed() if redraw or round_.lot_seed is None else round_.lot_seed
    round_.lot_seed = seed
    return seed


async def _projects(
    session: AsyncSession, round_: Round, area: Area, seed: int
) -> tuple[TallyProject, ...]:
    """The area's projects on the ballot, in tie-break order."""
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
    return tuple(projects[pid] for pid in order)


def _input(
    round_: Round,
    area: Area,
    projects: tuple[TallyProject, ...],
    ballots: tuple[tuple[str, ...], ...] = (),
    points: tuple[tuple[int, ...], ...] | None = None,
) -> TallyInput:
    kind = vote_type(round_)
    return TallyInput(
        projects=projects,
        budget=area.budget,
        ballots=ballots,
        max_ranks=round_.points_total if kind == CUMULATIVE else round_.max_ranks,
        kind=kind,
        points=(points or ()) if kind == CUMULATIVE else None,
        min_score=round_.min_project_score,
    )


async def tally_input(session: AsyncSession, round_: Round, area: Area, seed: int) -> TallyInput:
    """The area's projects (in tie-break order) and ballots, read in two queries.

    Ranked ballots list projects best first, approval ballots the chosen ones, cumulative
    ballots the ones given points, with the points (``BallotRank.points``) alongside.
    """
    projects = await _projects(session, round_, area, seed)
    ballots = await _ballots(
        session, round_.id, area.id, with_points=vote_type(round_) == CUMULATIVE
    )
    rows = tuple(ids for ids, _points in ballots)
    points = tuple(given for _ids, given in ballots)
    return _input(round_, area, projects, rows, points)


async def _ballots(
    session: AsyncSession, round_id: int, area_id: int, with_points: bool
) -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
    """Every ballot of the area: project ids in ballot order (and their points), by ballot."""
    where = (Ballot.round_id == round_id, Ballot.area_id == area_id)
    if session.bind.dialect.name == "postgresql":
        ids = func.array_agg(aggregate_order_by(BallotRank.proposal_id, BallotRank.position))
        given = func.array_agg(aggregate_order_by(BallotRank.points, BallotRank.position))
        columns = (ids, given) if with_points else (ids,)
        rows = await session.execute(
            select(*columns)
            .join(Ballot, Ballot.id == BallotRank.ballot_id)
            .where(*where)
            .group_by(BallotRank.ballot_id)
            .order_by(BallotRank.ballot_id)
        )
        return [(tuple(map(str, row[0])), tuple(row[1]) if with_points else ()) for row in rows]
    rows = await session.execute(
        select(BallotRank.ballot_id, BallotRank.proposal_id, BallotRank.points)
        .join(Ballot, Ballot.id == BallotRank.ballot_id)
        .where(*where)
        .order_by(BallotRank.ballot_id, BallotRank.position)
    )
    ballots: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
    current_id, ids, points = None, [], []
    for ballot_id, proposal_id, given in rows:
        if ballot_id != current_id:
            if ids:
                ballots.append((tuple(ids), tuple(points)))
            current_id, ids, points = ballot_id, [], []
        ids.append(str(proposal_id))
        if with_points:
            points.append(given)
    if ids:
        ballots.append((tuple(ids), tuple(points)))
    return ballots


@dataclass(frozen=True, slots=True)
class Scores:
    """What the database summed for an area: each project's score and supporters, and the
    number of (non-empty) ballots."""

    points: dict[str, int]
    votes: dict[str, int]
    ballots: int


async def project_scores(
    session: AsyncSession, round_: Round, projects: tuple[TallyProject, ...]
) -> Scores:
    """Each project's score summed in SQL: K − position on ranked ballots, one per choice on
    approval ballots, the points given on cumulative ones; with the number of ballots.

    The database counts the ranks per project and position (and sums their points) from
    the index ``ix_ballot_ranks_tally`` alone; the few resulting rows are weighed here.
    Every rank of a ballot names a project of the ballot's area, so the ranks are read by
    project rather than through the ballots; a ballot's first rank has position 0, so
    counting those counts the ballots that chose anything.
    """
    kind = vote_type(round_)
    k = round_.max_ranks
    ids = [int(p.id) for p in projects]
    rows = (
        await session.execute(
            select(
                BallotRank.proposal_id,
                BallotRank.position,
                func.count(),
                func.sum(BallotRank.points),
            )
            .where(BallotRank.proposal_id.in_(ids))
            .group_by(BallotRank.proposal_id, BallotRank.position)
        )
        if ids
        else []
    )
    points = dict.fromkeys((p.id for p in projects), 0)
    votes = dict(points)
    ballots = 0
    for proposal_id, position, count, given in rows:
        pid = str(proposal_id)
        if kind == CUMULATIVE:
            points[pid] += int(given or 0)
        elif kind == APPROVAL:
            points[pid] += count
        else:
            points[pid] += count * (k - position)
        votes[pid] += count
        if position == 0:
            ballots += count
    return Scores(points, votes, ballots)


async def count_area(
    session: AsyncSession, round_: Round, area: Area, rule: str, seed: int
) -> tuple[TallyInput, TallyResult, int, dict[str, int]]:
    """Count one area with ``rule``: the input (its ballots read only when the rule needs
    them), the result, the number of ballots and each project's supporters."""
    if rule in SUMMED_RULES:
        projects = await _projects(session, round_, area, seed)
        scores = await project_scores(session, round_, projects)
        inp = _input(round_, area, projects)
        return inp, greedy_from_points(inp, scores.points, rule), scores.ballots, scores.votes
    inp = await tally_input(session, round_, area, seed)
    votes = dict.fromkeys((p.id for p in inp.projects), 0)
    for ballot in inp.ballots:
        for pid in ballot:
            votes[pid] += 1
    return inp, run_tally(inp, rule), len(inp.ballots), votes


async def count_round(
    session: AsyncSession,
    round_: Round,
    rule: str = GREEDY,
    now: datetime | None = None,
    seed: int | None = None,
    redraw: bool = False,
) -> list[TallyRun]:
    """Count every area and record each count (unpublished), with the lot's seed.

    The seed is ``seed`` if given, else the round's kept lot (drawn now at the first count,
    or anew if ``redraw``).  A published round is never counted again.
    """
    rules.check_unpublished(round_, "count_frozen")
    seed = lot_seed(round_, seed, redraw)
    runs = []
    for area in round_.areas:
        inp, result, ballots, votes = await count_area(session, round_, area, rule, seed)
        record = result.to_dict()
        record["seed"] = seed
        record["tie_break"] = round_.tie_break
        record["order"] = [p.id for p in inp.projects]
        record["projects"] = {p.id: {"cost": p.cost, "name": p.name} for p in inp.projects}
        record["ballots"] = ballots
        record["votes"] = votes
        record["channels"] = await ballots_per_channel(session, round_.id, area.id)
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
    """Publish the newest count of each area, mark proposals selected, tell participants.

    Each area's pabulib file is written now, once, and kept with its SHA-256
    (:class:`PublishedFile`); the result and the settings it rests on are then frozen.
    """
    rules.check_unpublished(round_)
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
    order = {area.id: area.position for area in round_.areas}
    for run in sorted(runs, key=lambda r: order.get(r.area_id, 0)):
        session.add(await published_file(session, round_, run, now))
    await enqueue(session, NotificationKind.RESULTS, round_id=round_.id, due_at=now)
    await session.flush()
    return runs


async def ballots_per_channel(
    session: AsyncSession, round_id: int, area_id: int | None = None
) -> dict[str, int]:
    """How many ballots came through each channel (of one area, or of the whole round)."""
    stmt = (
        select(Ballot.channel, func.count())
        .where(Ballot.round_id == round_id)
        .group_by(Ballot.channel)
        .order_by(Ballot.channel)
    )
    if area_id is not None:
        stmt = stmt.where(Ballot.area_id == area_id)
    return {channel: count for channel, count in (await session.execute(stmt)).all()}


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
