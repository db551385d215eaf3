"""The result of the vote once staff have published it, per area."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.models import Proposal
from budgeting.phases import Phase
from budgeting.services.results import published_results
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.router import action, command
from dialogs.texts import show_menu
from dialogs.types import Button


@command("results")
async def results(ctx: Context, args: str) -> None:
    """Selected projects per area with their points and cost."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    runs = await published_results(ctx.session, ctx.round)
    if not runs:
        ctx.say(
            _("The results are not published yet. They come after voting closes on {date}.").format(
                date=ctx.date(ctx.round.decision_opens_at)
            )
            if ctx.phase in (Phase.UPCOMING, Phase.IDEAS, Phase.REVIEW, Phase.VOTING)
            else _("The results are not published yet.")
        )
        show_menu(ctx)
        return
    ids = [int(pid) for run in runs for pid in run.result.get("points", {})]
    titles = {
        p.id: p
        for p in (await ctx.session.scalars(select(Proposal).where(Proposal.id.in_(ids)))).all()
    }
    locale = ctx.participant.locale or "sv"
    parts = []
    for run in runs:
        area = area_of(ctx.round, run.area_id)
        points = run.result.get("points", {})
        selected = run.result.get("selected", [])
        lines = [
            _("{area} (budget {budget}):").format(
                area=area.name(locale) if area else "",
                budget=ctx.t.money(area.budget if area else 0),
            )
        ]
        for pid in selected:
            proposal = titles.get(int(pid))
            if proposal is not None:
                lines.append(
                    "✅ #{id} {title} — {cost} — {points}".format(
                        id=proposal.id,
                        title=proposal.title,
                        cost=ctx.t.money(proposal.cost),
                        points=ctx.ngettext("{n} point", "{n} points", points.get(pid, 0)).format(
                            n=ctx.t.number(points.get(pid, 0))
                        ),
                    )
                )
        parts.append("\n".join(lines))
    ctx.say(
        _("Result of the vote:") + "\n\n" + "\n\n".join(parts),
        [Button(_("Proposals"), "browse"), Button(_("Menu"), "menu")],
    )


@action("results")
async def results_action(ctx: Context, args: list[str]) -> None:
    """The menu's results button."""
    await results(ctx, "")
