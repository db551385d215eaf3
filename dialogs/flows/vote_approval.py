"""Approval ballots: toggle up to K projects on and off."""

from __future__ import annotations

from budgeting.services import ballots
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.flows.vote_steps import ballot_list, router, show_review
from dialogs.states import Flow, VoteStep
from dialogs.types import Button
from dialogs.wording import int_arg, short, show_menu, stale_button


def chosen_count(ctx: Context, n: int, k: int) -> str:
    """``2 of 3 projects chosen``."""
    return ctx.ngettext("{n} of {k} project chosen", "{n} of {k} projects chosen", k).format(
        n=n, k=k
    )


async def show_choices(ctx: Context) -> None:
    """The projects of the area, chosen ones marked ✓, and how many are chosen."""
    assert ctx.round is not None
    _ = ctx._
    on_ballot = await ballot_list(ctx)
    if not on_ballot:
        ctx.clear()
        show_menu(ctx, _("There are no projects on the ballot of this area."))
        return
    picks = [pid for pid in ctx.state.data.get("picks", []) if pid in {p.id for p in on_ballot}]
    area = area_of(ctx.round, ctx.state.data["area_id"])
    k, minimum = min(ctx.round.max_ranks, len(on_ballot)), ctx.round.min_ranks
    lines = [
        ctx.ngettext(
            "Choose up to {k} project in {area} (budget {budget}). Each project you choose "
            "gets one vote.",
            "Choose up to {k} projects in {area} (budget {budget}). Each project you choose "
            "gets one vote.",
            k,
        ).format(
            k=k,
            area=area.name(ctx.participant.locale or "sv") if area else "",
            budget=ctx.t.money(area.budget if area else ctx.round.budget),
        )
    ]
    if minimum > 1:
        lines.append(
            ctx.ngettext(
                "Choose at least {n} project.", "Choose at least {n} projects.", minimum
            ).format(n=minimum)
        )
    lines.append(_("Tap a project to choose it; tap it again to remove it."))
    lines.append(chosen_count(ctx, len(picks), k))
    buttons: list[Button | list[Button]] = [
        Button(f"✓ #{p.id} {short(p.title, 30)}", router.payload("unchoose", p.id))
        if p.id in picks
        else Button(
            f"#{p.id} {short(p.title, 32)} — {ctx.t.money(p.cost)}",
            router.payload("choose", p.id),
        )
        for p in on_ballot
    ]
    controls = []
    if picks and len(picks) >= minimum:
        controls.append(Button(_("Done"), router.payload("done_choosing")))
    controls.append(Button(_("Cancel"), "menu"))
    buttons.append(controls)
    ctx.say("\n".join(lines), buttons, replaces_previous=ctx.incoming.payload is not None)


async def approval_pick(ctx: Context, args: list[str], adding: bool) -> None:
    """Choose a project, or remove a chosen one; anything else is a stale button."""
    proposal_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.CHOOSE) or proposal_id is None or ctx.round is None:
        stale_button(ctx)
        return
    ballots.require_voting_phase(ctx.round, ctx.now)
    picks = list(ctx.state.data.get("picks", []))
    on_ballot = await ballot_list(ctx)
    if proposal_id not in {p.id for p in on_ballot} or (proposal_id in picks) == adding:
        stale_button(ctx)
        return
    k = min(ctx.round.max_ranks, len(on_ballot))
    if adding and len(picks) >= k:
        ctx.say(
            ctx.ngettext(
                "You have already chosen {k} project, the most you can. Tap a chosen "
                "project (✓) to remove it first.",
                "You have already chosen {k} projects, the most you can. Tap a chosen "
                "project (✓) to remove it first.",
                k,
            ).format(k=k)
        )
        return
    ctx.update(picks=[*picks, proposal_id] if adding else [p for p in picks if p != proposal_id])
    await show_choices(ctx)


@router.action("choose")
async def choose(ctx: Context, args: list[str]) -> None:
    """Add a project to the approval ballot."""
    await approval_pick(ctx, args, adding=True)


@router.action("unchoose")
async def unchoose(ctx: Context, args: list[str]) -> None:
    """Take a project off the approval ballot."""
    await approval_pick(ctx, args, adding=False)


@router.action("done_choosing")
async def done_choosing(ctx: Context, args: list[str]) -> None:
    """Review the approval ballot once the minimum is chosen."""
    if not ctx.in_step(Flow.VOTE, VoteStep.CHOOSE) or ctx.round is None:
        stale_button(ctx)
        return
    n = ctx.round.min_ranks
    if len(ctx.state.data.get("picks", [])) < max(n, 1):
        ctx.say(
            ctx.ngettext(
                "Please choose at least {n} project.", "Please choose at least {n} projects.", n
            ).format(n=max(n, 1))
        )
        return
    await show_review(ctx)
