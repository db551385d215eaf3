"""Flagging a comment: pick it, give a reason from a short list, thanks.

Enough different residents hide a comment at once, pending review (the round's threshold);
its writer is told why through the outbox. Buttons carry ids only: ``flag:pick:<proposal>``,
``flag:ask:<comment>``, ``flag:why:<comment>:<reason>``.
"""

from __future__ import annotations

from budgeting.i18n import _ as N_
from budgeting.models import Comment
from budgeting.services import discussion, flagging
from budgeting.services.errors import RuleViolation
from budgeting.services.rules import FLAG_REASONS
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import int_arg, short, stale_button, violation_text, visible_from

router = FlowRouter(Flow.FLAG)

REASON_LABELS = {
    "offensive": N_("Offensive or a personal attack"),
    "personal_data": N_("Personal data about someone"),
    "spam": N_("Spam or advertising"),
    "off_topic": N_("Off topic"),
    "other": N_("Something else"),
}
assert tuple(REASON_LABELS) == FLAG_REASONS

REFUSALS = {
    "comment_unavailable": N_("That comment is no longer shown."),
    "flag_own_comment": N_("You cannot report your own comment."),
    "already_flagged": N_("You have already reported this comment. Thank you."),
}


def thread_payload(proposal_id: int) -> str:
    """Where "Back" goes: the first page of the proposal's discussion."""
    return f"{Flow.DISCUSSION}:page:{proposal_id}:1"


def report_button(ctx: Context, proposal_id: int) -> Button:
    """The button under a list of comments: choose one to report."""
    return Button(ctx._("Report a comment"), router.payload("pick", proposal_id))


def flag_button(ctx: Context, comment: Comment) -> Button:
    """The button under one comment: report it."""
    return Button(ctx._("Report"), router.payload("ask", comment.id))


def refuse(ctx: Context, error: RuleViolation, proposal_id: int | None) -> None:
    """Say why the flag cannot be given, with a way back to the comments."""
    text = ctx._(REFUSALS[error.code]) if error.code in REFUSALS else violation_text(ctx, error)
    back = [Button(ctx._("Back"), thread_payload(proposal_id))] if proposal_id else []
    ctx.say(text, [*back, Button(ctx._("Menu"), "menu")])


@router.action("pick")
async def pick_comment(ctx: Context, args: list[str]) -> None:
    """The comments one may report (not one's own), as buttons."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    comments = [
        c
        for c in await discussion.comments_on(ctx.session, proposal)
        if c.author_id != ctx.participant.id
    ]
    back = Button(_("Back"), thread_payload(proposal.id))
    if not comments:
        ctx.say(_("There is no comment by someone else to report here."), [back])
        return
    ctx.say(
        _("Which comment do you want to report to the moderators?"),
        [*(Button(f"«{short(c.body)}»", router.payload("ask", c.id)) for c in comments), back],
    )


@router.action("ask")
async def ask_reason(ctx: Context, args: list[str]) -> None:
    """Why is it reported? The short list of reasons."""
    comment_id = int_arg(args)
    if comment_id is None or ctx.round is None:
        stale_button(ctx)
        return
    try:
        comment, proposal = await flagging.flaggable_comment(
            ctx.session, ctx.round, ctx.participant, comment_id
        )
    except RuleViolation as error:
        await refuse_for(ctx, error, comment_id)
        return
    _ = ctx._
    ctx.say(
        _("Why are you reporting this comment?") + f"\n«{short(comment.body, 200)}»",
        [
            *(
                Button(_(label), router.payload("why", comment.id, code))
                for code, label in REASON_LABELS.items()
            ),
            Button(_("Cancel"), thread_payload(proposal.id)),
        ],
    )


@router.action("why")
async def flag_comment(ctx: Context, args: list[str]) -> None:
    """Record the flag and thank the resident."""
    comment_id = int_arg(args)
    reason = args[1] if len(args) == 2 else ""
    if comment_id is None or reason not in REASON_LABELS or ctx.round is None:
        stale_button(ctx)
        return
    try:
        flagged = await flagging.flag_comment(
            ctx.session, ctx.round, ctx.participant, comment_id, reason, ctx.now
        )
    except RuleViolation as error:
        await refuse_for(ctx, error, comment_id)
        return
    _ = ctx._
    text = (
        _("Thank you. The comment is hidden until a moderator has looked at it.")
        if flagged.hidden
        else _("Thank you. A moderator will look at the comment.")
    )
    ctx.say(text, [Button(_("Back"), thread_payload(flagged.comment.proposal_id))])


async def refuse_for(ctx: Context, error: RuleViolation, comment_id: int) -> None:
    """Refuse, going back to the comment's proposal when residents may still see it."""
    comment = await ctx.session.get(Comment, comment_id)
    proposal_id = comment.proposal_id if comment and error.code != "proposal_unavailable" else None
    refuse(ctx, error, proposal_id)
