"""The result of the vote once staff have published it, per area, with how it was counted."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.i18n import _ as N_
from budgeting.models import CouncilDecision, ImplementationStatus, Proposal
from budgeting.phases import Phase
from budgeting.services.results import published_results
from budgeting.services.rounds import area_of
from budgeting.services.tally import explain_run
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import int_arg, show_menu, stale_button

EXPLANATION_LINES = 30
DECISIONS = {
    CouncilDecision.APPROVED: N_("approved by the council"),
    CouncilDecision.DECLINED: N_("not approved by the council"),
}
IMPLEMENTATION = {
    ImplementationStatus.NOT_STARTED: N_("not started"),
    ImplementationStatus.PLANNING: N_("being planned"),
    ImplementationStatus.IN_PROGRESS: N_("in progress"),
    ImplementationStatus.DONE: N_("done"),
    ImplementationStatus.CANCELLED: N_("cancelled"),
}
router = FlowRouter(Flow.RESULTS)


def project_line(ctx: Context, proposal: Proposal, points: int) -> str:
    """``✅ #3 Title — 180 000 kr — 412 points — approved, in progress 40 %``."""
    parts = [
        f"✅ #{proposal.id} {proposal.title}",
        ctx.t.money(proposal.cost),
        ctx.ngettext("{n} point", "{n} points", points).format(n=ctx.t.number(points)),
    ]
    if proposal.council_decision:
        parts.append(ctx._(DECISIONS[CouncilDecision(proposal.council_decision)]))
    if proposal.implementation_status:
        status = ctx._(IMPLEMENTATION[ImplementationStatus(proposal.implementation_status)])
        parts.append(f"{status} ({proposal.progress} %)")
    return " — ".join(parts)


@router.command("results")
async def results(ctx: Context, args: str) -> None:
    """Selected projects per area with their points, cost, decision and progress."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    runs = await published_results(ctx.session, ctx.round)
    if not runs:
        before = ctx.phase in (Phase.UPCOMING, Phase.IDEAS, Phase.REVIEW, Phase.VOTING)
        ctx.say(
            _("The results are not published yet. They come after voting closes on {date}.").format(
                date=ctx.date(ctx.round.decision_opens_at)
            )
            if before
            else _("The results are not published yet.")
        )
        show_menu(ctx)
        return
    ids = [int(pid) for run in runs for pid in run.result.get("selected", [])]
    found = {
        p.id: p
        for p in (await ctx.session.scalars(select(Proposal).where(Proposal.id.in_(ids)))).all()
    }
    locale = ctx.participant.locale or "sv"
    parts, buttons = [], []
    for run in runs:
        area = area_of(ctx.round, run.area_id)
        name = area.name(locale) if area else ""
        points = run.result.get("points", {})
        lines = [
            _("{area} (budget {budget}, {ballots} ballots):").format(
                area=name,
                budget=ctx.t.money(area.budget if area else 0),
                ballots=ctx.t.number(run.result.get("ballots", 0)),
            )
        ]
        lines += [
            project_line(ctx, found[int(pid)], points.get(pid, 0))
            for pid in run.result.get("selected", [])
            if int(pid) in found
        ]
        parts.append("\n".join(lines))
        buttons.append(
            Button(
                _("How {area} was counted").format(area=name),
                router.payload("explain", run.area_id),
            )
        )
    ctx.say(
        _("Result of the vote:") + "\n\n" + "\n\n".join(parts),
        [*buttons, Button(_("Proposals"), "browse"), Button(_("Menu"), "menu")],
    )


@router.action("explain")
async def explanation(ctx: Context, args: list[str]) -> None:
    """Step by step, how one area's ballots became the result."""
    area_id = int_arg(args)
    if ctx.round is None or area_id is None:
        stale_button(ctx)
        return
    run = next(
        (r for r in await published_results(ctx.session, ctx.round) if r.area_id == area_id), None
    )
    if run is None:
        stale_button(ctx)
        return
    lines = explain_run(run, ctx.t.locale)
    if len(lines) > EXPLANATION_LINES:
        lines = [
            *lines[:EXPLANATION_LINES],
            ctx._("… and {n} more steps in the published count.").format(
                n=len(lines) - EXPLANATION_LINES
            ),
        ]
    ctx.say("\n".join(lines), [Button(ctx._("Results"), "results"), Button(ctx._("Menu"), "menu")])
