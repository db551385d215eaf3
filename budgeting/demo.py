"""A demo: a Säter-like medborgarbudget and a medarbetarbudget, in any phase."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from budgeting.models import (
    Area,
    Audience,
    Ballot,
    BallotChannel,
    BallotRank,
    Comment,
    CouncilDecision,
    Criterion,
    ImplementationStatus,
    ImplementationUpdate,
    Participant,
    Proposal,
    ProposalStatus,
    PublishedFile,
    Review,
    Round,
    TallyRun,
)
from budgeting.phases import SCHEDULED, Phase, schedule

RESIDENTS_SLUG = "sater-medborgarbudget"
EMPLOYEES_SLUG = "sater-medarbetarbudget"
DEMO_LOT_SEED = 2027
"""The lot of the demo's count (it decides Stora Skedvi's tie)."""


def _texts(sv: str, en: str, ar: str, field: str = "name") -> dict[str, dict[str, str]]:
    return {"sv": {field: sv}, "en": {field: en}, "ar": {field: ar}}


RESIDENT_AREAS = [
    (("Säter tätort", "Säter town", "مدينة سيتر"), 500_000),
    (("Gustavsbo", "Gustavsbo", "غوستافسبو"), 250_000),
    (
        ("Stora Skedvi och landsbygden", "Stora Skedvi and the countryside", "ستورا سكيدفي والريف"),
        250_000,
    ),
]
CRITERIA = [
    ("Gynnar många invånare", "Benefits many residents", "يفيد كثيرًا من السكان"),
    (
        "Kommunen ansvarar för platsen",
        "The municipality is responsible for the place",
        "البلدية مسؤولة عن المكان",
    ),
    (
        "Engångsinvestering utan stora driftkostnader",
        "A one-off investment without large running costs",
        "استثمار لمرة واحدة دون تكاليف تشغيل كبيرة",
    ),
    ("Kan genomföras inom ett år", "Can be carried out within a year", "يمكن تنفيذه خلال سنة"),
]
# (area index, title, description, cost, status, rejection reason)
PROPOSALS = [
    (
        0,
        "Fler bänkar längs Ljusterån",
        "Sittplatser var 200:e meter längs promenadstråket vid Ljusterån, så att äldre orkar gå hela vägen.",
        60_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        0,
        "Utegym vid Säterdalen",
        "Ett enkelt utegym med räcken och bänkar nära motionsspåret i Säterdalen.",
        250_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        0,
        "Belysning på gångvägen till stationen",
        "Lampor längs den mörka gångvägen mellan centrum och järnvägsstationen.",
        180_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        0,
        "Lekplats i Bergsgården",
        "Rusta upp den gamla lekplatsen med gungor och sandlåda.",
        220_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        0,
        "Ny simhall",
        "Bygg en ny simhall i Säter.",
        40_000_000,
        ProposalStatus.REJECTED,
        "Kostar mer än hela budgeten och ger stora driftkostnader.",
    ),
    (
        1,
        "Boulebana i Gustavsbo",
        "En boulebana vid bygdegården där alla åldrar kan mötas.",
        80_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        1,
        "Hundrastgård",
        "En inhägnad hundrastgård i Gustavsbo.",
        120_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        1,
        "Cykelställ vid skolan",
        "Tak över cykelställen vid skolan.",
        90_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        1,
        "Hundgård i Gustavsbo",
        "Ett staket runt en yta där hundar kan springa lösa.",
        100_000,
        ProposalStatus.MERGED,
        None,
    ),
    (
        2,
        "Badbrygga vid Skedvisjön",
        "En ny badbrygga med stege vid badplatsen.",
        150_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        2,
        "Vindskydd vid Ljusternsjöns stig",
        "Ett vindskydd med eldstad för friluftslivet.",
        70_000,
        ProposalStatus.ACCEPTED,
        None,
    ),
    (
        2,
        "Laddstolpar på landet",
        "Laddstolpar för elbilar i varje by.",
        200_000,
        ProposalStatus.UNDER_REVIEW,
        None,
    ),
    (
        2,
        "Bokbuss varje vecka",
        "En bokbuss som kommer varje vecka.",
        90_000,
        ProposalStatus.SUBMITTED,
        None,
    ),
]


async def demo_exists(session: AsyncSession) -> bool:
    """True if the demo rounds are already there."""
    count = await session.scalar(
        select(func.count()).select_from(Round).where(Round.slug == RESIDENTS_SLUG)
    )
    return bool(count)


async def seed_demo(session: AsyncSession, now: datetime, phase: Phase = Phase.IDEAS) -> Round:
    """Create both demo rounds (if missing) and put them in ``phase``; returns the residents' round."""
    if not await demo_exists(session):
        await _create_residents(session, now)
        await _create_employees(session, now)
    rounds = (
        await session.scalars(
            select(Round)
            .options(selectinload(Round.areas))
            .where(Round.slug.in_([RESIDENTS_SLUG, EMPLOYEES_SLUG]))
        )
    ).all()
    for round_ in rounds:
        schedule(round_, phase, now)
        round_.results_published_at = None
    await session.flush()
    residents = next(r for r in rounds if r.slug == RESIDENTS_SLUG)
    for round_ in rounds:
        if SCHEDULED.index(phase) >= SCHEDULED.index(Phase.DECISION):
            await _results(session, round_, phase, now)
        else:
            await _unpublish(session, round_)
    return residents


async def _unpublish(session: AsyncSession, round_: Round) -> None:
    """Back to before the count: proposals on the ballot again, no recorded counts, no
    published files, no lot drawn."""
    await session.execute(delete(TallyRun).where(TallyRun.round_id == round_.id))
    await session.execute(delete(PublishedFile).where(PublishedFile.round_id == round_.id))
    round_.lot_seed = None
    await session.execute(
        update(Proposal)
        .where(
            Proposal.round_id == round_.id,
            Proposal.status.in_([ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED]),
        )
        .values(
            status=ProposalStatus.ACCEPTED,
            council_decision=None,
            implementation_status=None,
            progress=0,
        )
    )


async def _results(session: AsyncSession, round_: Round, phase: Phase, now: datetime) -> None:
    """Demo ballots, a published count, council decisions and implementation progress."""
    from budgeting.services.tally import count_round, publish_results

    has_ballots = await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)
    )
    if not has_ballots:
        await seed_demo_ballots(session, round_)
    await session.execute(delete(PublishedFile).where(PublishedFile.round_id == round_.id))
    await count_round(session, round_, "greedy", now=now, seed=DEMO_LOT_SEED)
    await publish_results(session, round_, now)
    if phase is Phase.DECISION:
        return
    selected = (
        await session.scalars(
            select(Proposal).where(
                Proposal.round_id == round_.id, Proposal.status == ProposalStatus.SELECTED
            )
        )
    ).all()
    for n, proposal in enumerate(selected):
        proposal.council_decision = CouncilDecision.APPROVED
        proposal.implementation_status = (
            ImplementationStatus.DONE
            if phase is Phase.FOLLOWUP or n == 0
            else ImplementationStatus.IN_PROGRESS
        )
        proposal.progress = (
            100 if proposal.implementation_status == ImplementationStatus.DONE else 40
        )
        session.add(
            ImplementationUpdate(
                proposal_id=proposal.id,
                status=proposal.implementation_status,
                progress=proposal.progress,
                body="Arbetet är igång enligt plan.",
            )
        )
    await session.flush()


async def _create_residents(session: AsyncSession, now: datetime) -> None:
    round_ = Round(
        slug=RESIDENTS_SLUG,
        audience=Audience.RESIDENTS,
        budget=1_000_000,
        min_ranks=1,
        max_ranks=3,
        texts={
            "sv": {
                "title": "Medborgarbudget Säter 2027",
                "description": "Säters kommun avsätter 1 000 000 kr. Du föreslår, diskuterar och röstar om vad pengarna ska användas till.",
            },
            "en": {
                "title": "Säter participatory budget 2027",
                "description": "Säter municipality sets aside 1,000,000 kr. You propose, discuss and vote on what the money is spent on.",
            },
            "ar": {
                "title": "الميزانية التشاركية في سيتر 2027",
                "description": "تخصص بلدية سيتر مليون كرونة. أنت تقترح وتناقش وتصوّت على كيفية إنفاق المال.",
            },
        },
    )
    schedule(round_, Phase.IDEAS, now)
    for i, ((sv, en, ar), budget) in enumerate(RESIDENT_AREAS):
        round_.areas.append(Area(position=i, texts=_texts(sv, en, ar), budget=budget))
    for i, (sv, en, ar) in enumerate(CRITERIA):
        round_.criteria.append(Criterion(position=i, texts=_texts(sv, en, ar)))
    session.add(round_)
    await session.flush()
    authors = [Participant(display_name=f"Demo resident {i}", locale="sv") for i in range(1, 4)]
    session.add_all(authors)
    await session.flush()
    created: list[Proposal] = []
    for n, (area, title, description, cost, status, reason) in enumerate(PROPOSALS):
        proposal = Proposal(
            round_id=round_.id,
            area_id=round_.areas[area].id,
            author_id=authors[n % len(authors)].id,
            title=title,
            description=description,
            estimated_cost=cost,
            status=status,
            rejection_reason=reason,
        )
        if status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED):
            proposal.reviews = [
                Review(criterion_id=c.id, met=status == ProposalStatus.ACCEPTED or i != 2)
                for i, c in enumerate(round_.criteria)
            ]
        session.add(proposal)
        created.append(proposal)
    await session.flush()
    merged = next(p for p in created if p.status == ProposalStatus.MERGED)
    merged.merged_into_id = next(p.id for p in created if p.title == "Hundrastgård")
    session.add(
        Comment(
            proposal_id=created[0].id,
            author_id=authors[1].id,
            body="Bra idé, min mamma skulle gå längre med fler bänkar.",
        )
    )
    await session.flush()


async def _create_employees(session: AsyncSession, now: datetime) -> None:
    round_ = Round(
        slug=EMPLOYEES_SLUG,
        audience=Audience.EMPLOYEES,
        organisation="Vård och omsorg",
        budget=200_000,
        min_ranks=1,
        max_ranks=3,
        texts={
            "sv": {
                "title": "Medarbetarbudget Vård och omsorg",
                "description": "200 000 kr för en bättre arbetsmiljö. Föreslå och rösta tillsammans med dina kollegor.",
            },
            "en": {
                "title": "Employee budget, Health and social care",
                "description": "200,000 kr for a better work environment. Propose and vote together with your colleagues.",
            },
            "ar": {
                "title": "ميزانية الموظفين، الرعاية الصحية والاجتماعية",
                "description": "200 ألف كرونة لبيئة عمل أفضل. اقترح وصوّت مع زملائك.",
            },
        },
    )
    schedule(round_, Phase.IDEAS, now)
    round_.areas.append(
        Area(
            position=0,
            texts=_texts("Vård och omsorg", "Health and social care", "الرعاية الصحية والاجتماعية"),
            budget=200_000,
        )
    )
    round_.criteria.append(
        Criterion(
            position=0,
            texts=_texts(
                "Förbättrar arbetsmiljön", "Improves the work environment", "يحسّن بيئة العمل"
            ),
        )
    )
    session.add(round_)
    await session.flush()
    for title, cost in (
        ("Ljuddämpning i personalrummet", 60_000),
        ("Höj- och sänkbara skrivbord", 90_000),
        ("Friskvårdsdag för alla", 80_000),
    ):
        session.add(
            Proposal(
                round_id=round_.id,
                area_id=round_.areas[0].id,
                title=title,
                description=f"{title} för alla enheter inom vård och omsorg.",
                estimated_cost=cost,
                status=ProposalStatus.ACCEPTED,
            )
        )
    await session.flush()


async def seed_demo_ballots(session: AsyncSession, round_: Round, voters: int = 120) -> None:
    """Anonymous demo ballots (deterministic), so results can be shown: a quarter on
    paper, the rest through the round's chat (Teams for employees, else Telegram)."""
    rng = random.Random(2027)
    chat = BallotChannel.TEAMS if round_.audience == Audience.EMPLOYEES else BallotChannel.TELEGRAM
    for area in round_.areas:
        on_ballot = (
            await session.scalars(
                select(Proposal.id).where(
                    Proposal.area_id == area.id, Proposal.status == ProposalStatus.ACCEPTED
                )
            )
        ).all()
        for n in range(voters // len(round_.areas)):
            ranking = rng.sample(list(on_ballot), k=min(round_.max_ranks, len(on_ballot)))
            ballot = Ballot(
                round_id=round_.id,
                area_id=area.id,
                participant_id=None,
                receipt_code=f"DEMO-{area.id:02d}{n:03d}",
                channel=BallotChannel.PAPER if n % 4 == 3 else chat,
            )
            ballot.ranks = [
                BallotRank(position=i, proposal_id=pid) for i, pid in enumerate(ranking)
            ]
            session.add(ballot)
    await session.flush()


__all__ = ["demo_exists", "schedule", "seed_demo", "seed_demo_ballots"]
