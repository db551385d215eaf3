"""What is stored about a participant (/mydata) and erasing it (/forget)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.models import (
    Area,
    Ballot,
    ChannelIdentity,
    Comment,
    CommentAgreement,
    CommentFlag,
    GroupMembership,
    Participant,
    Proposal,
    Round,
    Support,
    SurveyAnswer,
    VotingCode,
)
from budgeting.phases import Phase, current_phase
from budgeting.services.discussion import followed


async def personal_data(session: AsyncSession, participant: Participant) -> dict[str, Any]:
    """Everything stored about the participant, as plain data."""
    identities = (
        await session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.participant_id == participant.id)
        )
    ).all()
    ideas = (
        await session.scalars(select(Proposal).where(Proposal.author_id == participant.id))
    ).all()
    comments = (
        await session.scalars(select(Comment).where(Comment.author_id == participant.id))
    ).all()
    ballots = (
        await session.scalars(select(Ballot).where(Ballot.participant_id == participant.id))
    ).all()
    flags = (
        await session.scalars(
            select(CommentFlag).where(CommentFlag.participant_id == participant.id)
        )
    ).all()
    surveys = (
        await session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.participant_id == participant.id)
        )
    ).all()
    return {
        "participant": {
            "display_name": participant.display_name,
            "public_name": participant.public_name,
            "language": participant.locale,
            "campaign": participant.campaign,
            "opt_outs": list(participant.opt_outs or []),
            "quiet_hours": f"{participant.quiet_start}-{participant.quiet_end}",
            "created_at": participant.created_at,
        },
        "identities": [(i.channel, i.external_id) for i in identities],
        "ideas": [(p.id, p.title, p.status) for p in ideas],
        "comments": [(c.proposal_id, c.body) for c in comments],
        "agreements": await _count(session, CommentAgreement, participant.id),
        "supports": list(
            await session.scalars(
                select(Support.proposal_id).where(Support.participant_id == participant.id)
            )
        ),
        "flags": [(f.comment_id, f.reason) for f in flags],
        "following": [p.id for p in await followed(session, participant)],
        "ballots": [
            (b.receipt_code, [(r.proposal_id, r.points) for r in b.ranks]) for b in ballots
        ],
        "survey_answers": len(surveys),
        "groups": list(
            await session.scalars(
                select(Area)
                .join(GroupMembership, GroupMembership.area_id == Area.id)
                .where(GroupMembership.participant_id == participant.id)
            )
        ),
    }


async def _count(session: AsyncSession, table: type[CommentAgreement], participant_id: int) -> int:
    stmt = select(func.count()).select_from(table).where(table.participant_id == participant_id)
    return await session.scalar(stmt) or 0


async def forget(session: AsyncSession, participant: Participant, now: datetime) -> None:
    """Erase the participant's personal data.

    A ballot in a vote that is still open is withdrawn and its voting code freed
    (otherwise the person could come back as someone new and vote twice). A ballot in a
    closed vote, survey answers and ideas stay, without any link to the person: the
    ballot is still counted anonymously and the idea stays part of the round.
    Comments stay in the discussion, their writer unknown (signed "deleted user"; the
    foreign key sets their author to NULL), and so do the names they were signed with:
    the chosen public name goes with the participant row, as do identities, follows,
    supports, agreements with comments and dialog state.
    """
    pid = participant.id
    ballots = (await session.scalars(select(Ballot).where(Ballot.participant_id == pid))).all()
    codes = (
        await session.scalars(select(VotingCode).where(VotingCode.participant_id == pid))
    ).all()
    open_votes = {
        round_id
        for round_id in {b.round_id for b in ballots} | {c.round_id for c in codes}
        if (round_ := await session.get(Round, round_id)) is not None
        and current_phase(round_, now) is Phase.VOTING
    }
    for ballot in ballots:
        if ballot.round_id in open_votes:
            await session.delete(ballot)
        else:
            ballot.participant_id = None
    for code in codes:
        if code.round_id in open_votes:  # the letter's code may cast one ballot again
            code.redeemed_at = None
    await session.execute(
        update(SurveyAnswer).where(SurveyAnswer.participant_id == pid).values(participant_id=None)
    )
    await session.execute(update(Proposal).where(Proposal.author_id == pid).values(author_id=None))
    await session.delete(participant)
    await session.flush()
