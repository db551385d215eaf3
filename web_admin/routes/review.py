"""The review queue (SKR step 4): each idea against each criterion, then a decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Proposal, ProposalStatus
from budgeting.services import rules
from budgeting.services.rounds import load_round
from budgeting.services.similar_ideas import suggested_duplicates
from budgeting.services.staff import answers, review
from budgeting.services.staff.review import reviews_of
from web_admin.deps import STAFF_ONLY, DbSession, Now, ProposalDep, RoundDep
from web_admin.forms import text, translations, whole_number
from web_admin.queries import (
    TO_REVIEW,
    comments_on,
    follower_counts,
    proposals_of,
    review_counts,
)
from web_admin.responses import act, see_other
from web_admin.templating import flash, render_page

router = APIRouter(prefix="/admin", tags=["review"], dependencies=STAFF_ONLY)

FILTERS = {
    "todo": list(TO_REVIEW),
    "accepted": [ProposalStatus.ACCEPTED.value],
    "rejected": [ProposalStatus.REJECTED.value, ProposalStatus.MERGED.value],
    "all": [],
}


@router.get("/rounds/{round_id}/review")
async def review_queue(
    request: Request, round_: RoundDep, db: DbSession, show: str = "todo"
) -> Response:
    """Proposals waiting for review (or another selection), with their progress."""
    show = show if show in FILTERS else "todo"
    proposals = await proposals_of(db, round_.id, FILTERS[show])
    return render_page(
        request,
        "review_queue.html",
        {
            "round_": round_,
            "show": show,
            "proposals": proposals,
            "areas": {a.id: a for a in round_.areas},
            "assessed": await review_counts(db, [p.id for p in proposals]),
            "duplicates": await suggested_duplicates(db, round_.id, proposals),
        },
    )


@router.get("/proposals/{proposal_id}")
async def proposal_review(request: Request, proposal: ProposalDep, db: DbSession) -> Response:
    """One proposal: wording, assessment per criterion, cost, decision, comments."""
    round_ = await load_round(db, proposal.round_id)
    reviews = await reviews_of(db, proposal.id)
    merged_into = (
        await db.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None
    )
    return render_page(
        request,
        "proposal_review.html",
        {
            "round_": round_,
            "proposal": proposal,
            "area": next((a for a in round_.areas if a.id == proposal.area_id), None),
            "reviews": reviews,
            "unassessed": [c for c in round_.criteria if c.id not in reviews],
            "comments": await comments_on(db, proposal.id),
            "followers": (await follower_counts(db, [proposal.id])).get(proposal.id, 0),
            "merge_targets": rules.merge_targets(
                proposal, await proposals_of(db, proposal.round_id)
            ),
            "merged_into": merged_into,
            "similar": (await suggested_duplicates(db, round_.id, [proposal])).get(proposal.id, []),
            "decidable": rules.may_decide(round_, proposal),
        },
    )


def _back(proposal: Proposal) -> str:
    return f"/admin/proposals/{proposal.id}"


@router.post("/proposals/{proposal_id}/edit")
async def edit_proposal(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    title: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Reword the proposal for clarity (the original stays on record)."""
    round_ = await load_round(db, proposal.round_id)
    return await act(
        request,
        db,
        review.edit_proposal(db, request.state.staff, round_, proposal, title, description, now),
        _("The wording is saved."),
        _back(proposal),
    )


@router.post("/proposals/{proposal_id}/assess")
async def assess_proposal(
    request: Request, proposal: ProposalDep, db: DbSession, now: Now
) -> Response:
    """Save met / not met and a note per criterion, and staff's cost estimate."""
    round_ = await load_round(db, proposal.round_id)
    form = await request.form()
    assessments: dict[int, tuple[bool | None, str]] = {}
    for criterion in round_.criteria:
        verdict = text(form, f"met_{criterion.id}")
        met = {"yes": True, "no": False}.get(verdict)
        assessments[criterion.id] = (met, text(form, f"note_{criterion.id}", 1000))
    cost_text = text(form, "staff_cost")
    staff_cost = whole_number(cost_text) if cost_text else None
    if cost_text and staff_cost is None:
        flash(request, _("Give the cost in whole kronor."), "error")
        return see_other(_back(proposal))
    return await act(
        request,
        db,
        review.assess_proposal(
            db, request.state.staff, round_, proposal, assessments, staff_cost, now
        ),
        _("The assessment is saved."),
        _back(proposal),
    )


@router.post("/proposals/{proposal_id}/accept")
async def accept_proposal(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    reason: Annotated[str, Form(max_length=5000)] = "",
    override: Annotated[str, Form(max_length=8)] = "",
    override_reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Put the proposal on the ballot (every criterion assessed, or overridden with a
    reason); the author is told."""
    round_ = await load_round(db, proposal.round_id)
    return await act(
        request,
        db,
        review.accept_proposal(
            db,
            request.state.staff,
            round_,
            proposal,
            reason,
            now,
            translations(await request.form(), "reason", 5000),
            override=override == "yes",
            override_reason=override_reason,
        ),
        _("The proposal is on the ballot; the author will be told."),
        f"/admin/rounds/{round_.id}/review",
    )


@router.post("/proposals/{proposal_id}/reject")
async def reject_proposal(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Reject the proposal with a reason the author receives."""
    round_ = await load_round(db, proposal.round_id)
    return await act(
        request,
        db,
        review.reject_proposal(
            db,
            request.state.staff,
            round_,
            proposal,
            reason,
            now,
            translations(await request.form(), "reason", 5000),
        ),
        _("The proposal is rejected; the author will get the reason."),
        f"/admin/rounds/{round_.id}/review",
    )


@router.post("/proposals/{proposal_id}/merge")
async def merge_proposal(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    target_id: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Merge a duplicate into a similar proposal."""
    round_ = await load_round(db, proposal.round_id)
    target_number = whole_number(target_id)
    target = await db.get(Proposal, target_number) if target_number else None
    return await act(
        request,
        db,
        review.merge_proposal(
            db,
            request.state.staff,
            round_,
            proposal,
            target,
            reason,
            now,
            translations(await request.form(), "reason", 5000),
        ),
        _("The proposal is merged; the author will be told."),
        f"/admin/rounds/{round_.id}/review",
    )


@router.post("/proposals/{proposal_id}/answer")
async def answer_in_discussion(
    request: Request,
    proposal: ProposalDep,
    db: DbSession,
    now: Now,
    body: Annotated[str, Form(max_length=5000)] = "",
    reply_to: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Post an answer in the proposal's discussion, signed with the round's organisation."""
    reply_to_id = int(reply_to) if reply_to.isdigit() and len(reply_to) < 10 else None
    return await act(
        request,
        db,
        answers.answer(db, request.state.staff, proposal, body, reply_to_id, now),
        _("Your answer is published in the discussion."),
        _back(proposal) + "#comments-heading",
    )
