"""Paper and in-person ballots keyed in by staff (SKR step 5): checked by the same rules as
a chat ballot, counted in the same tally, each with a receipt code to write on the paper.

A paper ballot has no participant (as an imported one): the receipt code finds it in the
published file, and where the round needs voting codes the paper's code is used up, so
the same code cannot vote twice, on paper or in a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import _
from budgeting.models import (
    Ballot,
    BallotChannel,
    BallotRank,
    Proposal,
    Round,
    StaffRole,
    StaffUser,
    VotingCode,
)
from budgeting.services import ballots, rules
from budgeting.services.errors import RuleViolation
from budgeting.services.staff.audit import audit
from budgeting.services.voting_codes import area_of_code, hash_code, normalize_code

REFUSALS = {
    "paper_not_allowed": _("Moderators may not enter paper ballots in this round."),
    "voting_closed": _("Voting is not open now; paper ballots are entered while it is."),
    "unknown_area": _("Choose one of the round's areas."),
    "not_on_ballot": _("Choose only projects on the ballot of the ballot's area."),
    "duplicate_rank": _("A project is ranked twice; rank each project once."),
    "duplicate_choice": _("A project is chosen twice; choose each project once."),
    "rank_count": _("Rank at least {minimum} and at most {maximum} projects."),
    "choice_count": _("Choose at least {minimum} and at most {maximum} projects."),
    "points_mismatch": _("Give each chosen project its points."),
    "points_empty": _("Give points to at least one project."),
    "points_not_allowed": _("This round's ballots do not give points."),
    "points_per_project": _("Too many points on one project; the most is {maximum}."),
    "points_total": _("Too many points: {given} given, the most in all is {maximum}."),
    "paper_points_number": _("Points are whole numbers from 0 to {maximum}."),
    "paper_rank_gap": _("Fill in the choices from the first one, without gaps."),
    "voting_code_required": _("Enter the voting code printed on the paper."),
    "voting_code_unknown": _("This voting code is not one of the round's codes."),
    "voting_code_revoked": _("This voting code is revoked; the ballot is not registered."),
    "voting_code_other_area": _(
        "This voting code was issued for another area; the ballot is not registered."
    ),
    "voting_code_used": _(
        "This voting code has already been used; the ballot is not registered. "
        "One code gives one ballot."
    ),
    "paper_already_registered": _(
        "This paper ballot is already registered, with receipt code {receipt}; "
        "it was not registered again."
    ),
    "paper_form_stale": _("The form is out of date; enter the ballot again."),
}
"""The ballot rules worded for the staff member keying in a paper."""

RECEIPT_FORMAT = re.compile("^{0}{{4}}-{0}{{4}}-{0}{{4}}$".format(f"[{ballots.RECEIPT_ALPHABET}]"))


@dataclass(frozen=True)
class PaperBallot:
    """What a paper says, as keyed in: the area, the projects (ranked best first, or
    chosen), their points on a cumulative ballot, and the voting code ('' if none)."""

    area_id: int
    proposal_ids: tuple[int, ...]
    points: tuple[int, ...] | None = None
    code: str = ""


def may_enter_paper(round_: Round, staff: StaffUser) -> bool:
    """Admins always; moderators where the round lets them."""
    return staff.role == StaffRole.ADMIN or round_.moderators_enter_paper


def worded(refused: RuleViolation) -> RuleViolation:
    """The refusal as the staff member reads it."""
    if refused.message is not None or refused.code not in REFUSALS:
        return refused
    return RuleViolation(refused.code, REFUSALS[refused.code], **refused.params)


def refusal(code: str, **params: object) -> RuleViolation:
    """A paper refusal, worded for staff."""
    return RuleViolation(code, REFUSALS[code], **params)


def check_no_gaps(choices: list[str]) -> None:
    """Ranked choices are filled from the first one: an empty choice before a filled one
    is a gap (what it means on the paper is for staff to settle, not for us to guess)."""
    filled = [bool(c) for c in choices]
    if any(later and not earlier for earlier, later in zip(filled, filled[1:], strict=False)):
        raise refusal("paper_rank_gap")


async def _code(
    session: AsyncSession, round_: Round, paper: PaperBallot, lock: bool
) -> VotingCode | None:
    """The round's unused, valid voting code typed from the paper, issued for the paper's
    area or for any (None where the round uses no codes)."""
    typed = paper.code
    if not round_.requires_voting_code:
        return None
    if not normalize_code(typed):
        raise refusal("voting_code_required")
    stmt = select(VotingCode).where(
        VotingCode.round_id == round_.id, VotingCode.code_hash == hash_code(round_.id, typed)
    )
    code = (await session.scalars(stmt.with_for_update() if lock else stmt)).first()
    if code is None:
        raise refusal("voting_code_unknown")
    if code.revoked_at is not None:
        raise refusal("voting_code_revoked")
    if code.redeemed_at is not None or code.participant_id is not None:
        raise refusal("voting_code_used")
    try:
        rules.check_code_area(await area_of_code(session, code), paper.area_id)
    except RuleViolation as refused:
        raise worded(refused) from None
    return code


async def check_paper_ballot(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    paper: PaperBallot,
    now: datetime,
    lock: bool = False,
) -> tuple[list[Proposal], VotingCode | None]:
    """The paper's projects in ballot order and its unused voting code, if the paper obeys
    the round's rules now; else RuleViolation worded for staff. Changes nothing."""
    if not may_enter_paper(round_, staff):
        raise refusal("paper_not_allowed")
    try:
        ballots.require_voting_phase(round_, now)
        proposals = await ballots.check_ranking(
            session, round_, paper.area_id, paper.proposal_ids, paper.points
        )
    except RuleViolation as refused:
        raise worded(refused) from None
    return proposals, await _code(session, round_, paper, lock)


async def register_paper_ballot(
    session: AsyncSession,
    staff: StaffUser,
    round_: Round,
    paper: PaperBallot,
    receipt: str,
    now: datetime,
) -> Ballot:
    """Store the paper ballot under ``receipt``, the code drawn when it was reviewed, so
    that sending the reviewed form twice stores one ballot."""
    if not RECEIPT_FORMAT.match(receipt):
        raise refusal("paper_form_stale")
    if await session.scalar(ballots.RECEIPT_TAKEN, {"code": receipt}) is not None:
        raise refusal("paper_already_registered", receipt=receipt)
    _proposals, code = await check_paper_ballot(session, staff, round_, paper, now, lock=True)
    given = paper.points if paper.points is not None else (None,) * len(paper.proposal_ids)
    ballot = Ballot(
        round_id=round_.id,
        area_id=paper.area_id,
        participant_id=None,
        receipt_code=receipt,
        voting_code_id=code.id if code else None,
        channel=BallotChannel.PAPER.value,
        cast_at=now,
        updated_at=now,
        ranks=[
            BallotRank(position=i, proposal_id=pid, points=p)
            for i, (pid, p) in enumerate(zip(paper.proposal_ids, given, strict=True))
        ],
    )
    session.add(ballot)
    if code is not None:
        code.redeemed_at = now
    try:
        await session.flush()
    except IntegrityError:  # the same form or code stored by another request just now
        raise refusal("paper_already_registered", receipt=receipt) from None
    await audit(
        session, staff, "ballot.paper", f"round:{round_.id}", area=paper.area_id, ballot=ballot.id
    )
    return ballot
