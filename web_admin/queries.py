"""Read-only queries the admin pages need (counts and lists; never one person's ballot)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from budgeting.models import (
    AuditEntry,
    Ballot,
    Campaign,
    Comment,
    Follower,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    ProposalStatus,
    Review,
    Round,
    StaffUser,
    SurveyAnswer,
    TallyRun,
)

TO_REVIEW = (ProposalStatus.SUBMITTED.value, ProposalStatus.UNDER_REVIEW.value)


async def all_rounds(session: AsyncSession) -> list[Round]:
    """Every round, newest first, with areas and criteria."""
    stmt = (
        select(Round)
        .options(selectinload(Round.areas), selectinload(Round.criteria))
        .order_by(Round.ideas_opens_at.desc(), Round.id.desc())
    )
    return list((await session.scalars(stmt)).all())


@dataclass(frozen=True)
class RoundCounts:
    """The numbers on a round's dashboard card."""

    participants: int
    proposals: int
    to_review: int
    ballots: int
    comments: int


async def round_counts(session: AsyncSession, round_id: int) -> RoundCounts:
    """How many participants, proposals (and waiting for review), ballots and comments."""
    by_status = dict(
        (
            await session.execute(
                select(Proposal.status, func.count())
                .where(Proposal.round_id == round_id)
                .group_by(Proposal.status)
            )
        ).all()
    )
    participants = await session.scalar(
        select(func.count()).select_from(Participant).where(Participant.round_id == round_id)
    )
    ballots = await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id)
    )
    comments = await session.scalar(
        select(func.count())
        .select_from(Comment)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.round_id == round_id)
    )
    return RoundCounts(
        participants=participants or 0,
        proposals=sum(by_status.values()),
        to_review=sum(by_status.get(s, 0) for s in TO_REVIEW),
        ballots=ballots or 0,
        comments=comments or 0,
    )


async def proposals_of(
    session: AsyncSession, round_id: int, statuses: list[str] | None = None
) -> list[Proposal]:
    """The round's proposals (optionally of some statuses), oldest first."""
    stmt = select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id)
    if statuses:
        stmt = stmt.where(Proposal.status.in_(statuses))
    return list((await session.scalars(stmt)).all())


async def review_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """How many criteria each proposal has been assessed against."""
    if not proposal_ids:
        return {}
    rows = await session.execute(
        select(Review.proposal_id, func.count())
        .where(Review.proposal_id.in_(proposal_ids))
        .group_by(Review.proposal_id)
    )
    return dict(rows.all())


async def comments_of_round(
    session: AsyncSession, round_id: int, hidden: bool | None = None, limit: int = 200
) -> list[tuple[Comment, Proposal]]:
    """The round's newest comments with their proposals (hidden ones too unless asked)."""
    stmt = (
        select(Comment, Proposal)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.round_id == round_id)
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    if hidden is True:
        stmt = stmt.where(Comment.hidden_reason.is_not(None))
    elif hidden is False:
        stmt = stmt.where(Comment.hidden_reason.is_(None))
    return [(c, p) for c, p in (await session.execute(stmt)).all()]


async def comments_on(session: AsyncSession, proposal_id: int) -> list[Comment]:
    """Every comment on a proposal, hidden ones too, oldest first."""
    stmt = select(Comment).where(Comment.proposal_id == proposal_id).order_by(Comment.id)
    return list((await session.scalars(stmt)).all())


async def follower_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """Followers per proposal."""
    if not proposal_ids:
        return {}
    rows = await session.execute(
        select(Follower.proposal_id, func.count())
        .where(Follower.proposal_id.in_(proposal_ids))
        .group_by(Follower.proposal_id)
    )
    return dict(rows.all())


async def ballots_per_area(session: AsyncSession, round_id: int) -> dict[int, int]:
    """Number of ballots per area id."""
    rows = await session.execute(
        select(Ballot.area_id, func.count())
        .where(Ballot.round_id == round_id)
        .group_by(Ballot.area_id)
    )
    return dict(rows.all())


async def ballots_per_day(session: AsyncSession, round_: Round) -> list[tuple[date, int]]:
    """Ballots cast per calendar day in the round's time zone (counts only)."""
    zone = ZoneInfo(round_.timezone)
    days: Counter[date] = Counter()
    moments = await session.scalars(select(Ballot.cast_at).where(Ballot.round_id == round_.id))
    for cast_at in moments.all():
        days[cast_at.astimezone(zone).date()] += 1
    return sorted(days.items())


async def campaigns_of(session: AsyncSession, round_id: int) -> list[Campaign]:
    """The round's campaigns, oldest first."""
    stmt = select(Campaign).where(Campaign.round_id == round_id).order_by(Campaign.id)
    return list((await session.scalars(stmt)).all())


async def participants_per_campaign(session: AsyncSession) -> dict[str, int]:
    """How many participants came through each campaign tag."""
    rows = await session.execute(
        select(Participant.campaign, func.count())
        .where(Participant.campaign.is_not(None))
        .group_by(Participant.campaign)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class QuestionStats:
    """The answers to one survey question (1–5)."""

    field: str
    counts: dict[int, int]
    answers: int
    average: float | None


async def survey_stats(session: AsyncSession, round_id: int) -> tuple[list[QuestionStats], int]:
    """Per question: how many answered 1..5 and the average; plus the number of surveys."""
    total = await session.scalar(
        select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.round_id == round_id)
    )
    stats = []
    for field in ("understood", "discussion", "together"):
        column = getattr(SurveyAnswer, field)
        rows = await session.execute(
            select(column, func.count())
            .where(SurveyAnswer.round_id == round_id, column.is_not(None))
            .group_by(column)
        )
        counts = {n: 0 for n in range(1, 6)}
        for value, count in rows.all():
            if value in counts:
                counts[value] = count
        answers = sum(counts.values())
        average = sum(v * c for v, c in counts.items()) / answers if answers else None
        stats.append(QuestionStats(field, counts, answers, average))
    return stats, total or 0


async def survey_comments(session: AsyncSession, round_id: int, limit: int = 100) -> list[str]:
    """The newest free-text survey answers (without who wrote them)."""
    rows = await session.scalars(
        select(SurveyAnswer.comment)
        .where(SurveyAnswer.round_id == round_id, SurveyAnswer.comment.is_not(None))
        .order_by(SurveyAnswer.id.desc())
        .limit(limit)
    )
    return [c for c in rows.all() if c and c.strip()]


async def latest_runs(session: AsyncSession, round_: Round) -> dict[int, TallyRun]:
    """The newest count of each area, by area id."""
    runs = await session.scalars(
        select(TallyRun)
        .where(TallyRun.round_id == round_.id)
        .order_by(TallyRun.created_at.desc(), TallyRun.id.desc())
    )
    newest: dict[int, TallyRun] = {}
    for run in runs.all():
        newest.setdefault(run.area_id, run)
    return newest


async def broadcasts_of(session: AsyncSession, round_id: int) -> list[Notification]:
    """The round's broadcasts, newest first."""
    stmt = (
        select(Notification)
        .where(
            Notification.round_id == round_id,
            Notification.kind == NotificationKind.BROADCAST.value,
        )
        .order_by(Notification.due_at.desc(), Notification.id.desc())
    )
    return list((await session.scalars(stmt)).all())


async def audit_entries(
    session: AsyncSession, page: int, per_page: int = 50
) -> tuple[list[tuple[AuditEntry, str | None]], bool]:
    """One page of the audit log, newest first, with each actor's e-mail; and whether more."""
    rows = (
        await session.execute(
            select(AuditEntry, StaffUser.email)
            .outerjoin(StaffUser, StaffUser.id == AuditEntry.staff_user_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .offset(page * per_page)
            .limit(per_page + 1)
        )
    ).all()
    return [(e, email) for e, email in rows[:per_page]], len(rows) > per_page


async def staff_users(session: AsyncSession) -> list[StaffUser]:
    """Every staff account, by e-mail address."""
    return list((await session.scalars(select(StaffUser).order_by(StaffUser.email))).all())
