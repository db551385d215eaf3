"""Import and export of rounds in the pabulib format (projects and anonymised ballots)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Area,
    Audience,
    Ballot,
    BallotRank,
    Proposal,
    ProposalStatus,
    Round,
    TallyRun,
    utcnow,
)
from budgeting.pabulib import PabulibInstance, parse_amount, parse_pabulib, write_pabulib
from budgeting.phases import SCHEDULED
from budgeting.services.ballots import new_receipt_code
from budgeting.services.rounds import area_of

IMPORT_BATCH = 10_000


def _pb_date(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y")


async def export_pabulib(session: AsyncSession, round_: Round, area_id: int) -> str:
    """One area's projects and ballots as a pabulib file anyone can recount.

    Voter ids are random numbers, the order of ballots is shuffled, and each ballot
    carries its receipt code so a voter can find their own.
    """
    area = area_of(round_, area_id)
    if area is None:
        raise ValueError(f"area {area_id} is not part of round {round_.id}")
    proposals = (
        await session.scalars(
            select(Proposal)
            .where(Proposal.area_id == area.id, Proposal.status.in_(_ON_BALLOT))
            .order_by(Proposal.id)
        )
    ).all()
    rows = (
        await session.execute(
            select(Ballot.id, Ballot.receipt_code, BallotRank.proposal_id)
            .join(BallotRank, BallotRank.ballot_id == Ballot.id)
            .where(Ballot.round_id == round_.id, Ballot.area_id == area.id)
            .order_by(Ballot.id, BallotRank.position)
        )
    ).all()
    ballots: dict[int, tuple[str, list[int]]] = {}
    for ballot_id, receipt, proposal_id in rows:
        ballots.setdefault(ballot_id, (receipt, []))[1].append(proposal_id)
    k = round_.max_ranks
    votes = {p.id: 0 for p in proposals}
    score = {p.id: 0 for p in proposals}
    for _receipt, ranking in ballots.values():
        for position, pid in enumerate(ranking):
            if pid in votes:
                votes[pid] += 1
                score[pid] += k - position
    selected = await _selected(session, round_, area.id)
    shuffled = list(ballots.values())
    random.SystemRandom().shuffle(shuffled)
    instance = PabulibInstance(
        meta={
            "description": f"{round_.text('title', 'sv')} — {area.name('sv')}",
            "country": "Sweden",
            "unit": round_.organisation or round_.slug,
            "subunit": area.name("sv"),
            "instance": str(round_.voting_opens_at.year),
            "num_projects": str(len(proposals)),
            "num_votes": str(len(shuffled)),
            "budget": str(area.budget),
            "vote_type": "ordinal",
            "rule": "greedy",
            "date_begin": _pb_date(round_.voting_opens_at),
            "date_end": _pb_date(round_.decision_opens_at),
            "min_length": str(round_.min_ranks),
            "max_length": str(k),
            "language": "sv",
            "currency": "SEK",
        },
        projects=[
            {
                "project_id": str(p.id),
                "cost": str(p.cost),
                "votes": str(votes[p.id]),
                "score": str(score[p.id]),
                "name": p.title,
                **({"selected": "1" if str(p.id) in selected else "0"} if selected else {}),
            }
            for p in proposals
        ],
        votes=[
            {"voter_id": str(n), "vote": ",".join(map(str, ranking)), "receipt": receipt}
            for n, (receipt, ranking) in enumerate(shuffled, start=1)
        ],
    )
    return write_pabulib(instance)


async def _selected(session: AsyncSession, round_: Round, area_id: int) -> set[str]:
    run = (
        await session.scalars(
            select(TallyRun)
            .where(
                TallyRun.round_id == round_.id,
                TallyRun.area_id == area_id,
                TallyRun.published_at.is_not(None),
            )
            .order_by(TallyRun.published_at.desc())
        )
    ).first()
    return {str(pid) for pid in run.result.get("selected", [])} if run else set()


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


async def import_instance(
    session: AsyncSession, instance: PabulibInstance, slug: str | None = None
) -> Round:
    """Create a closed round from a parsed pabulib instance: one area, projects, ballots.

    Projects keep the file's order (their ids ascend in it), which is the tie-break
    order of the imported round.
    """
    meta = instance.meta
    title = meta.get("description") or "Imported round"
    ended = utcnow() - timedelta(days=1)
    max_ranks = instance.max_length or max((len(b) for b in instance.ballots), default=1)
    round_ = Round(
        slug=slug or f"pabulib-{utcnow().strftime('%Y%m%d%H%M%S%f')}",
        audience=Audience.RESIDENTS,
        organisation=meta.get("unit"),
        budget=instance.budget,
        min_ranks=instance.min_length or 1,
        max_ranks=max_ranks,
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
    for project in instance.projects:
        proposal = Proposal(
            round_id=round_.id,
            area_id=area.id,
            external_id=project["project_id"].strip(),
            title=(project.get("name") or project["project_id"])[:200],
            description=project.get("name") or "",
            estimated_cost=parse_amount(project["cost"], "cost"),
            status=ProposalStatus.ACCEPTED,
        )
        session.add(proposal)
        await session.flush()
        ids[project["project_id"].strip()] = proposal.id
    await _insert_ballots(session, round_, area, instance, ids)
    return round_


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
    session: AsyncSession, round_: Round, area: Area, instance: PabulibInstance, ids: dict[str, int]
) -> None:
    """Bulk-insert the ballots and their ranks, a batch at a time (no per-row round trips)."""
    now = utcnow()
    votes = list(zip(instance.votes, instance.ballots, strict=True))
    for start in range(0, len(votes), IMPORT_BATCH):
        batch = votes[start : start + IMPORT_BATCH]
        ballot_ids = await _reserve_ballot_ids(session, len(batch))
        receipts = await _receipts(session, [row.get("receipt") for row, _ranking in batch])
        await session.execute(
            insert(Ballot),
            [
                {
                    "id": ballot_id,
                    "round_id": round_.id,
                    "area_id": area.id,
                    "participant_id": None,
                    "receipt_code": receipt,
                    "cast_at": now,
                    "updated_at": now,
                }
                for ballot_id, receipt in zip(ballot_ids, receipts, strict=True)
            ],
        )
        await session.execute(
            insert(BallotRank),
            [
                {"ballot_id": ballot_id, "position": position, "proposal_id": ids[pid]}
                for ballot_id, (_row, ranking) in zip(ballot_ids, batch, strict=True)
                for position, pid in enumerate(ranking)
            ],
        )


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
