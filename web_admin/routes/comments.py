"""Comment moderation: the flag queue, hide with a reason the author receives, show again,
keep hidden what residents' flags hid, or dismiss the flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.models import Comment, Proposal
from budgeting.services.staff import flags, moderation
from web_admin.deps import STAFF_ONLY, DbSession, Now, RoundDep, RowId
from web_admin.queries import comments_of_round
from web_admin.responses import act
from web_admin.security import safe_next
from web_admin.templating import render_page

router = APIRouter(prefix="/admin", tags=["comments"], dependencies=STAFF_ONLY)

SHOW = {"flagged": None, "visible": False, "hidden": True, "all": None}


@router.get("/rounds/{round_id}/comments")
async def comment_list(
    request: Request, round_: RoundDep, db: DbSession, show: str = "visible"
) -> Response:
    """The flag queue (most flagged first) or the round's newest comments, to moderate."""
    show = show if show in SHOW else "visible"
    flagged = await flags.flag_queue(db, round_.id) if show == "flagged" else []
    return render_page(
        request,
        "comment_list.html",
        {
            "round_": round_,
            "show": show,
            "flagged": flagged,
            "flagged_count": await flags.flagged_count(db, round_.id),
            "comments": []
            if show == "flagged"
            else await comments_of_round(db, round_.id, SHOW[show]),
        },
    )


async def _comment(db: DbSession, comment_id: int) -> tuple[Comment, Proposal]:
    comment = await db.get(Comment, comment_id)
    proposal = await db.get(Proposal, comment.proposal_id) if comment else None
    if comment is None or proposal is None:
        raise HTTPException(status_code=404, detail="no such comment")
    return comment, proposal


@router.post("/comments/{comment_id}/hide")
async def hide_comment(
    request: Request,
    comment_id: RowId,
    db: DbSession,
    now: Now,
    reason: Annotated[str, Form(max_length=5000)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Hide a comment; its author is told why."""
    comment, proposal = await _comment(db, comment_id)
    return await act(
        request,
        db,
        moderation.hide_comment(db, request.state.staff, comment, proposal, reason, now),
        _("The comment is hidden; the author will get the reason."),
        safe_next(next, f"/admin/rounds/{proposal.round_id}/comments"),
    )


@router.post("/comments/{comment_id}/show")
async def show_comment(
    request: Request,
    comment_id: RowId,
    db: DbSession,
    now: Now,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Show a hidden comment again (restore it; its open flags are closed)."""
    comment, proposal = await _comment(db, comment_id)
    return await act(
        request,
        db,
        moderation.show_comment(db, request.state.staff, comment, now),
        _("The comment is visible again."),
        safe_next(next, f"/admin/rounds/{proposal.round_id}/comments?show=hidden"),
    )


@router.post("/comments/{comment_id}/keep-hidden")
async def keep_hidden(
    request: Request,
    comment_id: RowId,
    db: DbSession,
    now: Now,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Uphold the flags that hid a comment: it stays hidden and leaves the queue."""
    comment, proposal = await _comment(db, comment_id)
    return await act(
        request,
        db,
        flags.keep_hidden(db, request.state.staff, comment, now),
        _("The comment stays hidden; the flags are closed."),
        safe_next(next, f"/admin/rounds/{proposal.round_id}/comments?show=flagged"),
    )


@router.post("/comments/{comment_id}/dismiss-flags")
async def dismiss_flags(
    request: Request,
    comment_id: RowId,
    db: DbSession,
    now: Now,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The flags were unfounded: the comment stays visible and its flags are cleared."""
    comment, proposal = await _comment(db, comment_id)
    return await act(
        request,
        db,
        flags.dismiss_flags(db, request.state.staff, comment, now),
        _("The flags are dismissed; the comment is visible."),
        safe_next(next, f"/admin/rounds/{proposal.round_id}/comments?show=flagged"),
    )
