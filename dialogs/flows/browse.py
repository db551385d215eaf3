"""Browse proposals by area, read and write comments, follow proposals."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.models import (
    CouncilDecision,
    ImplementationStatus,
    ImplementationUpdate,
    Proposal,
)
from budgeting.phases import Phase
from budgeting.services import discussion, proposals
from budgeting.services.errors import RuleViolation
from budgeting.services.results import published_results
from budgeting.services.rounds import area_of
from budgeting.tally.outcomes import area_outcomes
from dialogs.context import Context
from dialogs.flows.ideas import status_name
from dialogs.flows.results import DECISIONS, IMPLEMENTATION, reason_sentence, say_packed
from dialogs.routing import FlowRouter
from dialogs.states import CommentStep, Flow
from dialogs.types import Button
from dialogs.wording import int_arg, short, show_menu, stale_button, violation_text, visible_from

BALLOT_PHASES = (Phase.VOTING, Phase.DECISION, Phase.IMPLEMENTATION, Phase.FOLLOWUP, Phase.CLOSED)
router = FlowRouter(Flow.BROWSE)


@router.command("browse")
async def browse(ctx: Context, args: str) -> None:
    """Ask which area to browse (or go straight to the only one)."""
    if ctx.round is None or ctx.phase is Phase.UPCOMING:
        show_menu(ctx)
        return
    if len(ctx.round.areas) == 1:
        await list_area(ctx, [str(ctx.round.areas[0].id)])
        return
    locale = ctx.participant.locale or "sv"
    ctx.say(
        ctx._("Which area do you want to look at?"),
        [Button(area.name(locale), router.payload("area", area.id)) for area in ctx.round.areas]
        + [Button(ctx._("Menu"), "menu")],
    )


@router.action("area")
async def list_area(ctx: Context, args: list[str]) -> None:
    """The proposals of one area (only those on the ballot once voting has started)."""
    area_id = int_arg(args)
    area = area_of(ctx.round, area_id) if ctx.round and area_id else None
    if area is None or ctx.round is None:
        stale_button(ctx)
        return
    _ = ctx._
    ballot_only = ctx.phase in BALLOT_PHASES
    found = await proposals.visible_proposals(ctx.session, ctx.round, area.id, ballot_only)
    name = area.name(ctx.participant.locale or "sv")
    if not found:
        ctx.say(
            _("There are no proposals in {area} yet.").format(area=name),
            [Button(_("Menu"), "menu")],
        )
        return
    counts = await proposals.comment_counts(ctx.session, [p.id for p in found])
    lines = [_("Proposals in {area}:").format(area=name)]
    for p in found:
        comments = ctx.ngettext("{n} comment", "{n} comments", counts.get(p.id, 0)).format(
            n=counts.get(p.id, 0)
        )
        lines.append(f"#{p.id} {p.title} — {ctx.t.money(p.cost)} — {comments}")
    buttons = [Button(f"#{p.id} {short(p.title)}", router.payload("open", p.id)) for p in found]
    ctx.say("\n".join(lines), [*buttons, Button(_("Menu"), "menu")])


@router.action("open")
async def proposal_action(ctx: Context, args: list[str]) -> None:
    """Open a proposal."""
    proposal_id = int_arg(args)
    if proposal_id is None:
        stale_button(ctx)
        return
    await show_proposal(ctx, proposal_id)


async def show_proposal(ctx: Context, proposal_id: int) -> None:
    """A proposal card with its discussion and follow buttons."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    try:
        proposal = await proposals.visible_proposal(ctx.session, ctx.round, proposal_id)
    except RuleViolation as error:
        ctx.say(violation_text(ctx, error), [Button(_("Menu"), "menu")])
        return
    area = area_of(ctx.round, proposal.area_id)
    count = (await proposals.comment_counts(ctx.session, [proposal.id])).get(proposal.id, 0)
    card = [
        f"#{proposal.id} {proposal.title}",
        _("Area: {area}").format(area=area.name(ctx.t.locale) if area else ""),
        _("Cost: {cost}").format(cost=ctx.t.money(proposal.cost)),
        _("Status: {status}").format(status=status_name(ctx, proposal.status)),
        "",
        proposal.description,
    ]
    story = await proposal_story(ctx, proposal)
    if story:
        card += ["", *story]
    card += ["", ctx.ngettext("{n} comment", "{n} comments", count).format(n=count)]
    following = await discussion.is_following(ctx.session, ctx.participant, proposal.id)
    buttons = [
        Button(_("Read comments"), router.payload("comments", proposal.id)),
        Button(_("Write a comment"), router.payload("write", proposal.id)),
        Button(
            _("Unfollow") if following else _("Follow"),
            router.payload("unfollow" if following else "follow", proposal.id),
        ),
        Button(_("Back"), router.payload("area", proposal.area_id)),
    ]
    updates = await implementation_updates(ctx, proposal)
    if not updates:
        ctx.say("\n".join(card), buttons, image=proposal.photo_ref)
        return
    ctx.say("\n".join(card), image=proposal.photo_ref)
    say_updates(ctx, updates, buttons)


async def proposal_story(ctx: Context, proposal: Proposal) -> list[str]:
    """After the vote: points and place, selected or not and why, the council's decision
    and note, and how far the implementation has come."""
    assert ctx.round is not None
    _ = ctx._
    lines: list[str] = []
    run = next(
        (
            r
            for r in await published_results(ctx.session, ctx.round)
            if r.area_id == proposal.area_id
        ),
        None,
    )
    outcome = None
    if run is not None:
        area = area_outcomes(run.result)
        outcome = area.project(str(proposal.id))
        if outcome is not None:
            lines.append(
                _("Result of the vote: place {place} of {total}.").format(
                    place=ctx.t.number(outcome.place), total=ctx.t.number(len(area.projects))
                )
            )
            lines.append(reason_sentence(ctx.t, area, outcome))
    if proposal.council_decision:
        decision = ctx._(DECISIONS[CouncilDecision(proposal.council_decision)])
        lines.append(_("Decision: {decision}.").format(decision=decision))
        if proposal.decision_note:
            lines.append(_("Note on the decision: {note}").format(note=proposal.decision_note))
    elif outcome is not None and outcome.selected:
        lines.append(_("The council has not decided on it yet."))
    if proposal.implementation_status:
        status = ImplementationStatus(proposal.implementation_status)
        lines.append(
            _("Implementation: {status}; done: {progress} %.").format(
                status=ctx._(IMPLEMENTATION[status]), progress=ctx.t.number(proposal.progress)
            )
        )
    return lines


async def implementation_updates(ctx: Context, proposal: Proposal) -> list[ImplementationUpdate]:
    """Every implementation update of the proposal, oldest first."""
    return list(
        (
            await ctx.session.scalars(
                select(ImplementationUpdate)
                .where(ImplementationUpdate.proposal_id == proposal.id)
                .order_by(ImplementationUpdate.created_at, ImplementationUpdate.id)
            )
        ).all()
    )


def update_line(ctx: Context, update: ImplementationUpdate) -> str:
    """``3 Dec 2027 10:00 — in progress, 40 %: The work has started.``"""
    status = ctx._(IMPLEMENTATION[ImplementationStatus(update.status)])
    return ctx._("{date} — {status}, {progress} %: {text}").format(
        date=ctx.date(update.created_at),
        status=status,
        progress=ctx.t.number(update.progress),
        text=update.body,
    )


def say_updates(ctx: Context, updates: list[ImplementationUpdate], buttons: list[Button]) -> None:
    """The updates in order: those without a photo together, each photo with its own text."""
    heading = ctx.ngettext(
        "{n} update on the implementation:", "{n} updates on the implementation:", len(updates)
    ).format(n=ctx.t.number(len(updates)))
    pending: list[str] = [heading]
    for n, update in enumerate(updates, start=1):
        last = n == len(updates)
        if update.photo_ref is None:
            pending.append(update_line(ctx, update))
            continue
        if pending:
            say_packed(ctx, ["\n".join(pending)], ())
            pending = []
        ctx.say(update_line(ctx, update), buttons if last else (), image=update.photo_ref)
    if pending:
        say_packed(ctx, ["\n".join(pending)], buttons)


@router.action("comments")
async def read_comments(ctx: Context, args: list[str]) -> None:
    """The newest comments on a proposal."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    comments = await discussion.comments_on(ctx.session, proposal)
    if comments:
        lines = [_("Comments on #{id}:").format(id=proposal.id)]
        lines += [f"— {c.body}" for c in comments]
    else:
        lines = [_("No comments yet. Be the first!")]
    ctx.say(
        "\n".join(lines),
        [
            Button(_("Write a comment"), router.payload("write", proposal.id)),
            Button(_("Back"), router.payload("open", proposal.id)),
        ],
    )


@router.action("write")
async def write_comment(ctx: Context, args: list[str]) -> None:
    """Ask for the comment text."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    if ctx.phase is Phase.CLOSED:
        ctx.say(_("The discussion is closed."))
        return
    ctx.goto(Flow.COMMENT, CommentStep.TEXT, proposal_id=proposal.id)
    ctx.say(
        _("Write your comment on #{id} {title}. Be kind: everyone can read it.").format(
            id=proposal.id, title=proposal.title
        ),
        [Button(_("Cancel"), router.payload("open", proposal.id))],
    )


@router.step(CommentStep.TEXT, flow=Flow.COMMENT)
async def comment_text(ctx: Context, text: str) -> None:
    """Store the comment."""
    assert ctx.round is not None
    proposal = await proposals.visible_proposal(
        ctx.session, ctx.round, ctx.state.data["proposal_id"]
    )
    await discussion.add_comment(ctx.session, proposal, ctx.participant, text, ctx.now)
    ctx.clear()
    ctx.say(ctx._("Thank you, your comment is published."))
    await show_proposal(ctx, proposal.id)


@router.action("follow")
async def follow(ctx: Context, args: list[str]) -> None:
    """Follow a proposal."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    await discussion.follow(ctx.session, ctx.participant, proposal)
    ctx.say(ctx._("You now follow #{id}. You will hear about every change.").format(id=proposal.id))


@router.action("unfollow")
async def unfollow(ctx: Context, args: list[str]) -> None:
    """Stop following a proposal."""
    proposal_id = int_arg(args)
    if proposal_id is None:
        stale_button(ctx)
        return
    await discussion.unfollow(ctx.session, ctx.participant, proposal_id)
    ctx.say(ctx._("You no longer follow #{id}.").format(id=proposal_id))


@router.command("follow")
async def following(ctx: Context, args: str) -> None:
    """The proposals the participant follows."""
    _ = ctx._
    followed = await discussion.followed(ctx.session, ctx.participant)
    if not followed:
        ctx.say(
            _("You do not follow any proposal yet. Open one under /browse and choose Follow."),
            [Button(_("Menu"), "menu")],
        )
        return
    lines = [_("You follow:")]
    lines += [f"#{p.id} {p.title} — {status_name(ctx, p.status)}" for p in followed]
    buttons = [Button(f"#{p.id} {short(p.title)}", router.payload("open", p.id)) for p in followed]
    ctx.say("\n".join(lines), [*buttons, Button(_("Menu"), "menu")])
