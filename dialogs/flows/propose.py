"""Submit an idea, guided step by step: area, title, description, (similar ideas), cost,
photo, confirm."""

from __future__ import annotations

from budgeting.models import SplitKind
from budgeting.phases import Phase
from budgeting.services import proposals
from budgeting.services.rounds import area_of
from budgeting.services.similar_ideas import similar_to_draft
from dialogs.context import Context
from dialogs.part_words import idea_question, part_label
from dialogs.routing import FlowRouter
from dialogs.states import Flow, ProposeStep
from dialogs.types import Button
from dialogs.wording import int_arg, phase_open, short, show_menu, stale_button

router = FlowRouter(Flow.PROPOSE)


def cancel_button(ctx: Context) -> Button:
    """The button that leaves the flow."""
    return Button(ctx._("Cancel"), "menu")


@router.command("propose")
async def propose(ctx: Context, args: str) -> None:
    """Start the idea flow, if ideas are open."""
    await start_idea(ctx, editing=None)


async def start_idea(ctx: Context, editing: int | None) -> None:
    """Begin a new idea, or a new version of idea ``editing``."""
    _ = ctx._
    if not phase_open(
        ctx, Phase.IDEAS, _("Ideas can be submitted {window}. The round is now in another phase.")
    ):
        return
    assert ctx.round is not None
    ctx.goto(Flow.PROPOSE, ProposeStep.AREA, editing=editing)
    areas = ctx.round.areas
    if len(areas) == 1:
        await choose_area(ctx, [str(areas[0].id)])
        return
    locale = ctx.participant.locale or "sv"
    ctx.say(
        idea_question(ctx.t, ctx.round),
        [Button(area.name(locale), router.payload("area", area.id)) for area in areas]
        + [cancel_button(ctx)],
    )


@router.action("area")
async def choose_area(ctx: Context, args: list[str]) -> None:
    """The area was chosen; ask for the title."""
    area_id = int_arg(args)
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.AREA) or ctx.round is None or area_id is None:
        stale_button(ctx)
        return
    area = area_of(ctx.round, area_id)
    if area is None:
        stale_button(ctx)
        return
    ctx.update(ProposeStep.TITLE, area_id=area.id)
    _ = ctx._
    name, limit = area.name(ctx.participant.locale or "sv"), ctx.round.title_max_length
    if ctx.round.split_kind == SplitKind.AREA:
        ask = _("Area: {area}. Give your idea a short title (at most {limit} characters).")
        ask = ask.format(area=name, limit=limit)
    else:
        title = _("Give your idea a short title (at most {limit} characters).")
        ask = part_label(ctx.t, ctx.round, name) + ". " + title.format(limit=limit)
    ctx.say(ask, [cancel_button(ctx)])


@router.step(ProposeStep.TITLE)
async def title_step(ctx: Context, text: str) -> None:
    """Check the title; ask for the description."""
    assert ctx.round is not None
    title = proposals.check_title(ctx.round, text)
    ctx.update(ProposeStep.DESCRIPTION, title=title)
    ctx.say(
        ctx._(
            "Describe your idea: what should be done, where, and who benefits? "
            "(at most {limit} characters)"
        ).format(limit=ctx.round.description_max_length),
        [cancel_button(ctx)],
    )


@router.step(ProposeStep.DESCRIPTION)
async def description_step(ctx: Context, text: str) -> None:
    """Check the description; show similar ideas if there are any, else ask for the cost."""
    assert ctx.round is not None
    description = proposals.check_description(ctx.round, text)
    ctx.update(description=description)
    if await show_similar(ctx):
        return
    ask_cost(ctx)


def ask_cost(ctx: Context) -> None:
    """Ask for the rough cost."""
    ctx.update(ProposeStep.COST)
    ctx.say(
        ctx._(
            "Roughly what would it cost, in kronor? A guess is fine; staff will estimate it "
            "properly. Write a number, for example 50000."
        ),
        [cancel_button(ctx)],
    )


async def show_similar(ctx: Context) -> bool:
    """Offer the round's ideas that look like the draft; False if none does."""
    assert ctx.round is not None
    data = ctx.state.data
    found = await similar_to_draft(
        ctx.session, ctx.round.id, data["title"], data["description"], data.get("editing")
    )
    if not found:
        return False
    _ = ctx._
    ctx.update(ProposeStep.SIMILAR, similar=[s.proposal.id for s in found])
    intro = ctx.ngettext(
        "There is already an idea in the round that looks like yours:",
        "There are already {n} ideas in the round that look like yours:",
        len(found),
    ).format(n=ctx.t.number(len(found)))
    lines = [intro, ""]
    lines += [
        f"#{s.proposal.id} {s.proposal.title} — {short(s.proposal.description, 80)}" for s in found
    ]
    lines += [
        "",
        _(
            "You can join an existing idea instead: open it to comment on it or follow it. "
            "Or submit yours anyway. Your draft is kept until you choose."
        ),
    ]
    ctx.say(
        "\n".join(lines),
        [
            *[
                Button(
                    f"#{s.proposal.id} {short(s.proposal.title)}",
                    router.payload("see", s.proposal.id),
                )
                for s in found
            ],
            Button(_("Submit mine anyway"), router.payload("anyway")),
            cancel_button(ctx),
        ],
    )
    return True


@router.action("see")
async def see_similar(ctx: Context, args: list[str]) -> None:
    """One of the similar ideas, with the ways to join it or go back to the draft."""
    proposal_id = int_arg(args)
    if (
        not ctx.in_step(Flow.PROPOSE, ProposeStep.SIMILAR)
        or ctx.round is None
        or proposal_id not in ctx.state.data.get("similar", ())
    ):
        stale_button(ctx)
        return
    proposal = await proposals.visible_proposal(ctx.session, ctx.round, proposal_id)
    _ = ctx._
    area = area_of(ctx.round, proposal.area_id)
    count = (await proposals.comment_counts(ctx.session, [proposal.id])).get(proposal.id, 0)
    card = [
        f"#{proposal.id} {proposal.title}",
        part_label(ctx.t, ctx.round, area.name(ctx.t.locale) if area else ""),
        "",
        proposal.description,
        "",
        ctx.ngettext("{n} comment", "{n} comments", count).format(n=ctx.t.number(count)),
    ]
    ctx.say(
        "\n".join(card),
        [
            Button(_("Comment or follow there"), f"{Flow.BROWSE}:open:{proposal.id}"),
            Button(_("Back to my idea"), router.payload("similar")),
            Button(_("Submit mine anyway"), router.payload("anyway")),
            cancel_button(ctx),
        ],
        image=proposal.photo_ref,
    )


@router.action("similar")
async def back_to_similar(ctx: Context, args: list[str]) -> None:
    """Back from a similar idea to the list of them."""
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.SIMILAR) or ctx.round is None:
        stale_button(ctx)
        return
    if not await show_similar(ctx):
        ask_cost(ctx)


@router.action("anyway")
async def submit_anyway(ctx: Context, args: list[str]) -> None:
    """The resident keeps their own idea: go on to the cost."""
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.SIMILAR) or ctx.round is None:
        stale_button(ctx)
        return
    ask_cost(ctx)


@router.step(ProposeStep.SIMILAR)
async def text_at_similar_step(ctx: Context, text: str) -> None:
    """Text where a choice was asked for: ask again."""
    ctx.say(ctx._("Please choose one of the buttons: an idea to look at, or submit yours."))
    if not await show_similar(ctx):
        ask_cost(ctx)


@router.step(ProposeStep.COST)
async def cost_step(ctx: Context, text: str) -> None:
    """Check the cost; ask for a photo where the channel can send one, else confirm."""
    assert ctx.round is not None
    cost = proposals.check_cost(ctx.round, ctx.state.data["area_id"], text)
    if ctx.incoming.supports_photos:
        ctx.update(ProposeStep.PHOTO, cost=cost)
        ctx.say(
            ctx._("You can add a photo of the place (optional). Send it now, or choose Skip."),
            [Button(ctx._("Skip"), router.payload("skip_photo")), cancel_button(ctx)],
        )
        return
    ctx.update(ProposeStep.CONFIRM, cost=cost)
    confirm_idea(ctx)


@router.photo_step(ProposeStep.PHOTO)
async def photo_step(ctx: Context, photo: str) -> None:
    """Keep the photo's channel reference; confirm."""
    ctx.update(ProposeStep.CONFIRM, photo=photo[:256])
    confirm_idea(ctx)


@router.step(ProposeStep.PHOTO)
async def text_at_photo_step(ctx: Context, text: str) -> None:
    """Text where a photo was asked for: ask again."""
    ctx.say(ctx._("Please send a photo, or choose Skip."))


@router.action("skip_photo")
async def skip_photo(ctx: Context, args: list[str]) -> None:
    """No photo; confirm."""
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.PHOTO):
        stale_button(ctx)
        return
    ctx.update(ProposeStep.CONFIRM)
    confirm_idea(ctx)


def confirm_idea(ctx: Context) -> None:
    """Show the idea as it will be stored and ask to submit it."""
    assert ctx.round is not None
    _ = ctx._
    data = ctx.state.data
    area = area_of(ctx.round, data["area_id"])
    summary = _(
        "Please check your idea:\n\nTitle: {title}\n{part}\nCost: {cost}\n\n{description}"
    ).format(
        title=data["title"],
        part=part_label(
            ctx.t, ctx.round, area.name(ctx.participant.locale or "sv") if area else ""
        ),
        cost=ctx.t.money(data["cost"]),
        description=data["description"],
    )
    ctx.say(
        summary,
        [
            Button(_("Submit"), router.payload("submit")),
            Button(_("Start over"), router.payload("restart")),
            cancel_button(ctx),
        ],
        image=data.get("photo"),
    )


@router.action("restart")
async def restart(ctx: Context, args: list[str]) -> None:
    """Start the idea over (keeping which idea is being edited)."""
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.CONFIRM) or ctx.round is None:
        stale_button(ctx)
        return
    await start_idea(ctx, editing=ctx.state.data.get("editing"))


@router.action("submit")
async def submit(ctx: Context, args: list[str]) -> None:
    """Submit the idea (or the new version of an idea being edited)."""
    if not ctx.in_step(Flow.PROPOSE, ProposeStep.CONFIRM) or ctx.round is None:
        stale_button(ctx)
        return
    data = ctx.state.data
    idea = proposals.Idea(
        area_id=data["area_id"],
        title=data["title"],
        description=data["description"],
        cost=data["cost"],
        photo_ref=data.get("photo"),
    )
    _ = ctx._
    if data.get("editing"):
        proposal = await proposals.edit_idea(
            ctx.session, ctx.round, ctx.participant, data["editing"], idea, ctx.now
        )
        done = _("Your idea #{id} has been updated.").format(id=proposal.id)
    else:
        proposal = await proposals.submit_idea(
            ctx.session, ctx.round, ctx.participant, idea, ctx.now
        )
        done = _(
            "Thank you! Your idea #{id} has been submitted. Staff will review it and you will "
            "be told the outcome. You can follow it under /ideas."
        ).format(id=proposal.id)
    ctx.clear()
    show_menu(ctx, done)
