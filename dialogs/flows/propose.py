"""Submit an idea, guided step by step: area, title, description, cost, photo, confirm."""

from __future__ import annotations

from budgeting.phases import Phase
from budgeting.services import proposals
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.router import action, command, step
from dialogs.texts import int_arg, phase_open, show_menu, stale_button
from dialogs.types import Button

FLOW = "propose"


def cancel_button(ctx: Context) -> Button:
    """The button that leaves the flow."""
    return Button(ctx._("Cancel"), "menu")


@command("propose")
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
    ctx.goto(FLOW, "area", editing=editing)
    areas = ctx.round.areas
    if len(areas) == 1:
        await choose_area(ctx, [str(areas[0].id)])
        return
    locale = ctx.participant.locale or "sv"
    ctx.say(
        _("Which area is your idea for?"),
        [Button(area.name(locale), f"pa:{area.id}") for area in areas] + [cancel_button(ctx)],
    )


@action("pa")
async def choose_area(ctx: Context, args: list[str]) -> None:
    """The area was chosen; ask for the title."""
    area_id = int_arg(args)
    if not ctx.in_step(FLOW, "area") or ctx.round is None or area_id is None:
        stale_button(ctx)
        return
    area = area_of(ctx.round, area_id)
    if area is None:
        stale_button(ctx)
        return
    ctx.update("title", area_id=area.id)
    _ = ctx._
    ctx.say(
        _("Area: {area}. Give your idea a short title (at most {limit} characters).").format(
            area=area.name(ctx.participant.locale or "sv"), limit=ctx.round.title_max_length
        ),
        [cancel_button(ctx)],
    )


@step(FLOW, "title")
async def title_step(ctx: Context, text: str) -> None:
    """Check the title; ask for the description."""
    assert ctx.round is not None
    title = proposals.check_title(ctx.round, text)
    ctx.update("description", title=title)
    ctx.say(
        ctx._(
            "Describe your idea: what should be done, where, and who benefits? "
            "(at most {limit} characters)"
        ).format(limit=ctx.round.description_max_length),
        [cancel_button(ctx)],
    )


@step(FLOW, "description")
async def description_step(ctx: Context, text: str) -> None:
    """Check the description; ask for the rough cost."""
    assert ctx.round is not None
    description = proposals.check_description(ctx.round, text)
    ctx.update("cost", description=description)
    ctx.say(
        ctx._(
            "Roughly what would it cost, in kronor? A guess is fine; staff will estimate it "
            "properly. Write a number, for example 50000."
        ),
        [cancel_button(ctx)],
    )


@step(FLOW, "cost")
async def cost_step(ctx: Context, text: str) -> None:
    """Check the cost; ask for a photo where the channel can send one, else confirm."""
    assert ctx.round is not None
    cost = proposals.check_cost(ctx.round, ctx.state.data["area_id"], text)
    if ctx.incoming.supports_photos:
        ctx.update("photo", cost=cost)
        ctx.say(
            ctx._("You can add a photo of the place (optional). Send it now, or choose Skip."),
            [Button(ctx._("Skip"), "pp:skip"), cancel_button(ctx)],
        )
        return
    ctx.update("confirm", cost=cost)
    confirm_idea(ctx)


@step(FLOW, "photo")
async def photo_step(ctx: Context, photo: str) -> None:
    """Keep the photo's channel reference; confirm."""
    if not ctx.incoming.photo:
        ctx.say(ctx._("Please send a photo, or choose Skip."))
        return
    ctx.update("confirm", photo=photo[:256])
    confirm_idea(ctx)


@action("pp")
async def skip_photo(ctx: Context, args: list[str]) -> None:
    """No photo; confirm."""
    if not ctx.in_step(FLOW, "photo"):
        stale_button(ctx)
        return
    ctx.update("confirm")
    confirm_idea(ctx)


def confirm_idea(ctx: Context) -> None:
    """Show the idea as it will be stored and ask to submit it."""
    assert ctx.round is not None
    _ = ctx._
    data = ctx.state.data
    area = area_of(ctx.round, data["area_id"])
    summary = _(
        "Please check your idea:\n\nTitle: {title}\nArea: {area}\nCost: {cost}\n\n{description}"
    ).format(
        title=data["title"],
        area=area.name(ctx.participant.locale or "sv") if area else "",
        cost=ctx.t.money(data["cost"]),
        description=data["description"],
    )
    ctx.say(
        summary,
        [Button(_("Submit"), "pc:ok"), Button(_("Start over"), "pc:redo"), cancel_button(ctx)],
        image=data.get("photo"),
    )


@action("pc")
async def confirm_action(ctx: Context, args: list[str]) -> None:
    """Submit (or restart) the idea."""
    if not ctx.in_step(FLOW, "confirm") or ctx.round is None:
        stale_button(ctx)
        return
    choice = args[0] if args else ""
    data = ctx.state.data
    if choice == "redo":
        await start_idea(ctx, editing=data.get("editing"))
        return
    if choice != "ok":
        stale_button(ctx)
        return
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
