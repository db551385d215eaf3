"""Import and export of rounds in the pabulib format (projects and anonymised ballots)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Area,
    Audience,
    Ballot,
    BallotChannel,
    BallotKind,
    BallotRank,
    Proposal,
    ProposalStatus,
    PublishedFile,
    Round,
    TallyRun,
    utcnow,
)
from budgeting.pabulib import (
    PabulibInstance,
    pabulib_rule,
    parse_pabulib,
    tally_input_from_pabulib,
    write_pabulib,
)
from budgeting.phases import SCHEDULED
from budgeting.services.ballots import new_receipt_code
from budgeting.services.rounds import area_of
from budgeting.tally import APPROVAL, CUMULATIVE, GREEDY, ORDINAL, draw_lot

IMPORT_BATCH = 10_000
VOTE_TYPE = {
    BallotKind.RANKED.value: ORDINAL,
    BallotKind.APPROVAL.value: APPROVAL,
    BallotKind.CUMULATIVE.value: CUMULATIVE,
}
"""The tally's (and pabulib's) vote type for each ballot kind of a round."""


def vote_type(round_: Round) -> str:
    """``ordinal``, ``approval`` or ``cumulative`` for the round's ballot kind."""
    return VOTE_TYPE[round_.ballot_kind or BallotKind.RANKED.value]


def _pb_date(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y")


def area_filename(round_: Round, area: Area) -> str:
    """The name an area's pabulib file is published (and downloaded) under."""
    return f"{round_.slug}-area-{area.id}.pb"


async def export_pabulib(session: AsyncSession, round_: Round, area_id: int) -> str:
    """One area's projects and ballots as a pabulib file anyone can recount.

    Once the results are published this is exactly the file published with them (see
    :func:`published_file`); before that, the file as it would be published from the
    newest count (or, not yet counted, from the ballots alone).
    """
    area = area_of(round_, area_id)
    if area is None:
        raise ValueError(f"area {area_id} is not part of round {round_.id}")
    stored = await session.scalar(
        select(PublishedFile.content).where(
            PublishedFile.round_id == round_.id, PublishedFile.area_id == area.id
        )
    )
    if stored is not None:
        return stored
    run = (
        await session.scalars(
            select(TallyRun)
            .where(TallyRun.round_id == round_.id, TallyRun.area_id == area.id)
            .order_by(TallyRun.created_at.desc(), TallyRun.id.desc())
        )
    ).first()
    return write_pabulib(await area_instance(session, round_, area, run))


async def published_file(
    session: AsyncSession, round_: Round, run: TallyRun, now: datetime
) -> PublishedFile:
    """The pabulib file of ``run``'s area as published with ``run``, with its SHA-256."""
    area = area_of(round_, run.area_id)
    assert area is not None
    content = write_pabulib(await area_instance(session, round_, area, run, published=True))
    return PublishedFile(
        round_id=round_.id,
        area_id=area.id,
        filename=area_filename(round_, area),
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        content=content,
        published_at=now,
    )


async def area_instance(
    session: AsyncSession,
    round_: Round,
    area: Area,
    run: TallyRun | None,
    published: bool = False,
) -> PabulibInstance:
    """One area's pabulib instance as counted by ``run``.

    PROJECTS are in the tie-break order the count used (so a recount that breaks ties by
    file order, as pabutools and ``budgetbot tally --pabulib`` do, agrees); META names the
    rule as pabulib does, the minimum support, the tie-break and the lot's seed; a
    published file marks the selected projects.  Ballots are shuffled and numbered anew,
    each with its voter's receipt code and its channel (pabulib's ``voting_method``:
    telegram, teams, whatsapp, console, paper or import).
    """
    kind = vote_type(round_)
    proposals = {
        str(p.id): p
        for p in (
            await session.scalars(
                select(Proposal)
                .where(Proposal.area_id == area.id, Proposal.status.in_(_ON_BALLOT))
                .order_by(Proposal.id)
            )
        ).all()
    }
    order = [pid for pid in (run.result.get("order", []) if run else []) if pid in proposals]
    if run is None and round_.tie_break == "lot" and round_.lot_seed is not None:
        order = list(draw_lot(list(proposals), round_.lot_seed))
    order += [pid for pid in proposals if pid not in order]
    rows = (
        await session.execute(
            select(
                Ballot.id,
                Ballot.receipt_code,
                Ballot.channel,
                BallotRank.proposal_id,
                BallotRank.points,
            )
            .join(BallotRank, BallotRank.ballot_id == Ballot.id)
            .where(Ballot.round_id == round_.id, Ballot.area_id == area.id)
            .order_by(Ballot.id, BallotRank.position)
        )
    ).all()
    ballots: dict[int, tuple[str, str, list[str], list[int]]] = {}
    for ballot_id, receipt, channel, proposal_id, points in rows:
        _receipt, _channel, ids, given = ballots.setdefault(ballot_id, (receipt, channel, [], []))
        ids.append(str(proposal_id))
        given.append(points or 0)
    k = round_.max_ranks
    votes = dict.fromkeys(order, 0)
    score = dict.fromkeys(order, 0)
    for _receipt, _channel, ids, given in ballots.values():
        for position, pid in enumerate(ids):
            if pid in votes:
                votes[pid] += 1
                score[pid] += (
                    given[position]
                    if kind == CUMULATIVE
                    else 1
                    if kind == APPROVAL
                    else k - position
                )
    selected = {str(pid) for pid in run.result.get("selected", [])} if run and published else None
    shuffled = list(ballots.values())
    random.SystemRandom().shuffle(shuffled)
    rule = run.rule if run else GREEDY
    seed = run.seed if run else round_.lot_seed
    meta = {
        "description": f"{round_.text('title', 'sv')} — {area.name('sv')}",
        "country": "Sweden",
        "unit": round_.organisation or round_.slug,
        "subunit": area.name("sv"),
        "instance": str(round_.voting_opens_at.year),
        "num_projects": str(len(order)),
        "num_votes": str(len(shuffled)),
        "budget": str(area.budget),
        "vote_type": kind,
        "rule": pabulib_rule(rule, round_.min_project_score),
        "date_begin": _pb_date(round_.voting_opens_at),
        "date_end": _pb_date(round_.decision_opens_at),
    }
    if kind == CUMULATIVE:
        meta["max_sum_points"] = str(round_.points_total)
        meta["max_points"] = str(round_.points_per_project)
    else:
        meta["min_length"] = str(round_.min_ranks)
        meta["max_length"] = str(k)
    meta["min_project_score_threshold"] = str(round_.min_project_score)
    meta["tie_break"] = round_.tie_break
    if round_.tie_break == "lot" and seed is not None:
        meta["lot_seed"] = str(seed)
    meta["language"] = "sv"
    meta["currency"] = "SEK"
    project_columns = ["project_id", "cost", "votes", "score", "name"]
    if selected is not None:
        project_columns.append("selected")
    vote_columns = ["voter_id", "vote", *(["points"] if kind == CUMULATIVE else [])]
    vote_columns += ["voting_method", "receipt"]
    return PabulibInstance(
        meta=meta,
        projects=[
            {
                "project_id": pid,
                "cost": str(proposals[pid].cost),
                "votes": str(votes[pid]),
                "score": str(score[pid]),
                "name": proposals[pid].title,
                **({"selected": "1" if pid in selected else "0"} if selected is not None else {}),
            }
            for pid in order
        ],
        votes=[
            {
                "voter_id": str(n),
                "vote": ",".join(ids),
                **({"points": ",".join(map(str, given))} if kind == CUMULATIVE else {}),
                "voting_method": channel,
                "receipt": receipt,
            }
            for n, (receipt, channel, ids, given) in enumerate(shuffled, start=1)
        ],
        project_columns=project_columns,
        vote_columns=vote_columns,
    )


_ON_BALLOT = [
    ProposalStatus.ACCEPTED.value,
    ProposalStatus.SELECTED.value,
    ProposalStatus.NOT_SELECTED.value,
]


async def import_pabulib(
    session: AsyncSession, source: Path | str, slug: str | None = None
) -> Round:
    """Create a closed round from a pabulib file (a path or its text)."""
    return await import_instance(session, parse_pabulib(source), slug)


IMPORTED_KINDS = {
    ORDINAL: BallotKind.RANKED,
    APPROVAL: BallotKind.APPROVAL,
    CUMULATIVE: BallotKind.CUMULATIVE,
}
"""The ballot kind of a round imported from each vote type (choose-1 is approval, K = 1)."""


async def import_instance(
    session: AsyncSession, instance: PabulibInstance, slug: str | None = None
) -> Round:
    """Create a closed round from a parsed pabulib instance: one area, projects, ballots.

    The file is read as the tally reads it (:func:`tally_input_from_pabulib`): the round
    gets its ballot kind, K, points and minimum support; cumulative ballots keep their
    points.  Projects keep the file's order (their ids ascend in it), which is the
    tie-break order of the imported round.
    """
    inp = tally_input_from_pabulib(instance)
    meta = instance.meta
    title = meta.get("description") or "Imported round"
    ended = utcnow() - timedelta(days=1)
    longest = max((len(b) for b in inp.ballots), default=1)
    given = [sum(row) for row in inp.points or ()]
    most = [max(row, default=0) for row in inp.points or ()]
    round_ = Round(
        slug=slug or f"pabulib-{utcnow().strftime('%Y%m%d%H%M%S%f')}",
        audience=Audience.RESIDENTS,
        organisation=meta.get("unit"),
        budget=inp.budget,
        ballot_kind=IMPORTED_KINDS[inp.kind],
        min_ranks=instance.min_length or 1,
        max_ranks=max(inp.max_ranks, 1) if inp.kind != CUMULATIVE else max(longest, 1),
        points_total=_meta_int(meta, "max_sum_points") or max(given, default=1),
        points_per_project=_meta_int(meta, "max_points") or max(most, default=1),
        min_project_score=inp.min_score,
        tie_break="listed",
        texts={"sv": {"title": title}, "en": {"title": title}},
        closes_at=ended,
    )
    for i, phase in enumerate(SCHEDULED):
        setattr(round_, f"{phase.value}_opens_at", ended - timedelta(days=7 * (len(SCHEDULED) - i)))
    round_.areas.append(
        Area(
            position=0,
            budget=round_.budget,
            texts={"sv": {"name": meta.get("subunit") or meta.get("district") or title}},
        )
    )
    session.add(round_)
    await session.flush()
    area = round_.areas[0]
    ids: dict[str, int] = {}
    for project in inp.projects:
        proposal = Proposal(
            round_id=round_.id,
            area_id=area.id,
            external_id=project.id,
            title=(project.name or project.id)[:200],
            description=project.name or "",
            estimated_cost=project.cost,
            status=ProposalStatus.ACCEPTED,
        )
        session.add(proposal)
        await session.flush()
        ids[project.id] = proposal.id
    receipts = [row.get("receipt") for row in instance.votes]
    if len(receipts) != len(inp.ballots):
        receipts = [None] * len(inp.ballots)
    channels = [imported_channel(row.get("voting_method")) for row in instance.votes]
    if len(channels) != len(inp.ballots):
        channels = [BallotChannel.IMPORT.value] * len(inp.ballots)
    points = inp.points if inp.kind == CUMULATIVE else None
    await _insert_ballots(session, round_, area, inp.ballots, points, receipts, ids, channels)
    return round_


def imported_channel(voting_method: str | None) -> str:
    """An imported ballot's channel: ``paper`` where the file says so (pabulib's
    ``voting_method``), else ``import``."""
    paper = (voting_method or "").strip().lower() == BallotChannel.PAPER.value
    return BallotChannel.PAPER.value if paper else BallotChannel.IMPORT.value


def _meta_int(meta: dict[str, str], key: str) -> int | None:
    try:
        return int(meta.get(key, "").strip())
    except ValueError:
        return None


async def _receipts(session: AsyncSession, given: list[str | None]) -> list[str]:
    """The file's receipt codes, with a fresh code wherever one is missing or already used."""
    wanted = [code for code in given if code]
    seen: set[str] = set(
        (
            await session.scalars(
                select(Ballot.receipt_code).where(Ballot.receipt_code.in_(wanted))
            )
        ).all()
        if wanted
        else ()
    )
    codes = []
    for code in given:
        while not code or code in seen:
            code = new_receipt_code()
        seen.add(code)
        codes.append(code)
    return codes


async def _reserve_ballot_ids(session: AsyncSession, count: int) -> list[int]:
    """``count`` fresh ballot ids, taken from the sequence on PostgreSQL."""
    if session.bind.dialect.name == "postgresql":
        rows = await session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('ballots', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [row[0] for row in rows]
    first = (await session.scalar(select(func.max(Ballot.id)))) or 0
    return list(range(first + 1, first + 1 + count))


async def _insert_ballots(
    session: AsyncSession,
    round_: Round,
    area: Area,
    ballots: Sequence[tuple[str, ...]],
    points: Sequence[tuple[int, ...]] | None,
    given_receipts: Sequence[str | None],
    ids: dict[str, int],
    channels: Sequence[str] | None = None,
) -> None:
    """Bulk-insert the ballots and their ranks (with points, for cumulative ballots), a
    batch at a time (no per-row round trips)."""
    now = utcnow()
    kept = channels or [BallotChannel.IMPORT.value] * len(ballots)
    rows = list(zip(ballots, points or [()] * len(ballots), given_receipts, kept, strict=True))
    for start in range(0, len(rows), IMPORT_BATCH):
        batch = rows[start : start + IMPORT_BATCH]
        ballot_ids = await _reserve_ballot_ids(session, len(batch))
        receipts = await _receipts(session, [receipt for _b, _p, receipt, _c in batch])
        await session.execute(
            insert(Ballot),
            [
                {
                    "id": ballot_id,
                    "round_id": round_.id,
                    "area_id": area.id,
                    "participant_id": None,
                    "receipt_code": receipt,
                    "channel": channel,
                    "cast_at": now,
                    "updated_at": now,
                }
                for ballot_id, receipt, (_b, _p, _r, channel) in zip(
                    ballot_ids, receipts, batch, strict=True
                )
            ],
        )
        ranks = [
            {
                "ballot_id": ballot_id,
                "position": position,
                "proposal_id": ids[pid],
                "points": given[position] if points is not None else None,
            }
            for ballot_id, (ranking, given, _receipt, _channel) in zip(
                ballot_ids, batch, strict=True
            )
            for position, pid in enumerate(ranking)
        ]
        if ranks:
            await session.execute(insert(BallotRank), ranks)


def _csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def proposals_csv(session: AsyncSession, round_: Round) -> str:
    """Every proposal of the round with its status, cost and decision, as CSV."""
    import csv
    import io

    proposals = (
        await session.scalars(
            select(Proposal).where(Proposal.round_id == round_.id).order_by(Proposal.id)
        )
    ).all()
    areas = {area.id: area.name("sv") for area in round_.areas}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "area",
            "title",
            "description",
            "estimated_cost",
            "staff_cost",
            "status",
            "rejection_reason",
            "merged_into",
            "council_decision",
            "implementation_status",
            "progress",
            "created_at",
        ]
    )
    for p in proposals:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    p.id,
                    areas.get(p.area_id, ""),
                    p.title,
                    p.description,
                    p.estimated_cost,
                    p.staff_cost,
                    p.status,
                    p.rejection_reason,
                    p.merged_into_id,
                    p.council_decision,
                    p.implementation_status,
                    p.progress,
                    p.created_at.isoformat(),
                )
            ]
        )
    return out.getvalue()
