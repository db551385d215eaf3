"""My ideas: their status, the staff's reasons, and edit or withdraw while ideas are open."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.i18n import _ as N_
from budgeting.models import Criterion, Proposal, ProposalStatus, Review
from budgeting.models.base import translations
from budgeting.phases import Phase
from budgeting.services import proposals, rules
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.staff_texts import staff_text
from dialogs.states import ConfirmStep, Flow
from dialogs.types import Button
from dialogs.wording import int_arg, own_from, short, show_menu, stale_button

router = FlowRouter(Flow.IDEAS)

STATUS_NAMES = {
    ProposalStatus.SUBMITTED: N_("waiting for review"),
    ProposalStatus.UNDER_REVIEW: N_("being reviewed"),
    ProposalStatus.ACCEPTED: N_("on the ballot"),
    ProposalStatus.REJECTED: N_("not accepted"),
    ProposalStatus.MERGED: N_("merged with a similar idea"),
    ProposalStatus.WITHDRAWN: N_("withdrawn"),
    ProposalStatus.SELECTED: N_("selected in the vote"),
    ProposalStatus.NOT_SELECTED: N_("not selected in the vote"),
    rules.DECLINED: N_("declined by the council"),
}


def status_name(ctx: Context, proposal: Proposal) -> str:
    """A proposal's status in the participant's words (a project the council declined is
    "declined by the council", not "selected")."""
    return ctx._(STATUS_NAMES[rules.standing(proposal)])


@router.command("ideas")
async def my_ideas(ctx: Context, args: str) -> None:
    """List the participant's ideas with their status."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    ideas = await proposals.ideas_of(ctx.session, ctx.round, ctx.participant)
    if not ideas:
        ctx.say(_("You have not submitted any ideas in this round yet."))
        show_menu(ctx)
        return
    lines = [_("Your ideas:")]
    lines += [f"#{p.id} {p.title} — {status_name(ctx, p)}" for p in ideas]
    buttons = [Button(f"#{p.id} {short(p.title)}", router.payload("show", p.id)) for p in ideas]
    ctx.say("\n".join(lines), [*buttons, Button(_("Menu"), "menu")])


@router.action("show")
async def show_idea(ctx: Context, args: list[str]) -> None:
    """One of the participant's ideas, with the staff's review and reason."""
    proposal = await own_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    locale = ctx.participant.locale or "sv"
    lines = [
        f"#{proposal.id} {proposal.title}",
        _("Status: {status}").format(status=status_name(ctx, proposal)),
        _("Cost: {cost}").format(cost=ctx.t.money(proposal.cost)),
        "",
        proposal.description,
    ]
    rows = (
        await ctx.session.execute(
            select(Review, Criterion)
            .join(Criterion, Criterion.id == Review.criterion_id)
            .where(Review.proposal_id == proposal.id)
            .order_by(Criterion.position)
        )
    ).all()
    if rows:
        lines += ["", _("Review against the criteria:")]
        for review, criterion in rows:
            verdict = _("met") if review.met else _("not met")
            note = f" — {review.note}" if review.note else ""
            lines.append(f"• {criterion.name(locale)}: {verdict}{note}")
    reason = staff_text(ctx.t, translations(proposal.texts, "reason"), proposal.rejection_reason)
    if reason:
        lines += ["", _("Reason from staff: {reason}").format(reason=reason)]
    buttons = []
    if proposal.status == ProposalStatus.SUBMITTED and ctx.phase is Phase.IDEAS:
        buttons += [
            Button(_("Edit"), router.payload("edit", proposal.id)),
            Button(_("Withdraw"), router.payload("withdraw", proposal.id)),
        ]
    buttons.append(Button(_("My ideas"), "ideas"))
    ctx.say("\n".join(lines), buttons, image=proposal.photo_ref)


@router.action("edit")
async def edit_idea(ctx: Context, args: list[str]) -> None:
    """Enter the idea flow again to replace the idea's text."""
    proposal = await own_from(ctx, args)
    if proposal is None:
        return
    if proposal.status != ProposalStatus.SUBMITTED:
        stale_button(ctx)
        return
    from dialogs.flows.propose import start_idea

    await start_idea(ctx, editing=proposal.id)


@router.action("withdraw")
async def withdraw_idea(ctx: Context, args: list[str]) -> None:
    """Ask before withdrawing an idea."""
    proposal = await own_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    ctx.goto(Flow.WITHDRAW, ConfirmStep.CONFIRM, proposal_id=proposal.id)
    ctx.say(
        _("Do you really want to withdraw your idea #{id} {title}?").format(
            id=proposal.id, title=proposal.title
        ),
        [
            Button(_("Yes, withdraw"), router.payload("withdraw_confirmed", proposal.id)),
            Button(_("No"), "ideas"),
        ],
    )


@router.action("withdraw_confirmed")
async def withdraw_confirmed(ctx: Context, args: list[str]) -> None:
    """Withdraw the idea after confirmation."""
    proposal_id = int_arg(args)
    if (
        proposal_id is None
        or ctx.round is None
        or not ctx.in_step(Flow.WITHDRAW, ConfirmStep.CONFIRM)
        or ctx.state.data.get("proposal_id") != proposal_id
    ):
        stale_button(ctx)
        return
    await proposals.withdraw_idea(ctx.session, ctx.round, ctx.participant, proposal_id, ctx.now)
    ctx.clear()
    show_menu(ctx, ctx._("Your idea #{id} has been withdrawn.").format(id=proposal_id))
