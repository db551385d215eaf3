"""Browse proposals by area, read and write comments, follow proposals."""

from __future__ import annotations

from budgeting.phases import Phase
from budgeting.services import discussion, proposals
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.flows.ideas import status_name
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
    text = "\n".join(
        [
            f"#{proposal.id} {proposal.title}",
            _("Area: {area}").format(
                area=area.name(ctx.participant.locale or "sv") if area else ""
            ),
            _("Cost: {cost}").format(cost=ctx.t.money(proposal.cost)),
            _("Status: {status}").format(status=status_name(ctx, proposal.status)),
            "",
            proposal.description,
            "",
            ctx.ngettext("{n} comment", "{n} comments", count).format(n=count),
        ]
    )
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
    ctx.say(text, buttons, image=proposal.photo_ref)


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
    await discussion.add_comment(ctx.session, proposal, ctx.participant, text)
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
