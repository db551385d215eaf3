"""Learn about the round: what a participatory budget is, the steps, budget, criteria, dates."""

from __future__ import annotations

from budgeting.i18n import _ as N_
from budgeting.models import Audience
from budgeting.phases import SCHEDULED, Phase, opens_at
from dialogs.ballot_words import how_voting_works, voting_step
from dialogs.context import Context
from dialogs.part_words import budget_button, budget_shares
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import PHASE_NAMES, show_menu, stale_button

router = FlowRouter(Flow.ABOUT)

STEPS = (
    (N_("Criteria and resources"), N_("the municipality sets the budget, areas and criteria")),
    (N_("Marketing"), N_("everyone is invited to take part")),
    (N_("Ideas"), N_("residents submit ideas"), Phase.IDEAS),
    (
        N_("Review"),
        N_("staff check each idea against the criteria and estimate its cost"),
        Phase.REVIEW,
    ),
    (N_("Voting"), N_("residents rank the proposals on the ballot"), Phase.VOTING),
    (N_("Political decision"), N_("the council decides on the winning projects"), Phase.DECISION),
    (N_("Implementation"), N_("the projects are carried out"), Phase.IMPLEMENTATION),
    (N_("Follow-up"), N_("everyone hears how it went and evaluates the round"), Phase.FOLLOWUP),
)


def section_buttons(ctx: Context) -> list[Button]:
    """The sections of /about."""
    _ = ctx._
    return [
        Button(_("The steps"), router.payload("section", "steps")),
        Button(budget_button(ctx.t, ctx.round), router.payload("section", "budget")),
        Button(_("Criteria"), router.payload("section", "criteria")),
        Button(_("Dates"), router.payload("section", "dates")),
        Button(_("Questions and answers"), router.payload("section", "faq")),
        Button(_("Menu"), "menu"),
    ]


@router.command("about")
async def about(ctx: Context, args: str) -> None:
    """What this round is and how it works."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    locale = ctx.participant.locale or "sv"
    kind = (
        _(
            "A medborgarbudget (participatory budget) lets residents decide together how part "
            "of the municipality's budget is spent."
        )
        if ctx.round.audience == Audience.RESIDENTS
        else _(
            "A medarbetarbudget lets employees decide together how part of their "
            "organisation's budget is spent, for example on a better work environment."
        )
    )
    text = "\n\n".join(
        part
        for part in (
            ctx.round.text("title", locale),
            kind,
            ctx.round.text("description", locale),
            _("Budget: {budget}. The round is now in the {phase} phase.").format(
                budget=ctx.t.money(ctx.round.budget), phase=_(PHASE_NAMES[ctx.phase])
            ),
        )
        if part
    )
    ctx.say(text, section_buttons(ctx))


@router.action("section")
async def about_section(ctx: Context, args: list[str]) -> None:
    """Show one section of /about."""
    if ctx.round is None:
        show_menu(ctx)
        return
    section = args[0] if args else ""
    render = SECTIONS.get(section)
    if render is None:
        if not args:
            await about(ctx, "")
            return
        stale_button(ctx)
        return
    ctx.say(render(ctx), section_buttons(ctx))


def steps_text(ctx: Context) -> str:
    """The eight SKR steps, marking where the round is now."""
    _ = ctx._
    lines = [_("The round follows eight steps:")]
    for number, entry in enumerate(STEPS, start=1):
        marker = "▶" if len(entry) == 3 and entry[2] is ctx.phase else "•"
        what = _(entry[1])
        if len(entry) == 3 and entry[2] is Phase.VOTING and ctx.round is not None:
            what = voting_step(ctx.t, ctx.round)  # rank, choose or spread points
        lines.append(f"{marker} {number}. {_(entry[0])}: {what}")
    lines.append(_("▶ marks where the round is now."))
    return "\n".join(lines)


def budget_text(ctx: Context) -> str:
    """The budget and each area's (theme's, group's) share."""
    assert ctx.round is not None
    _ = ctx._
    locale = ctx.participant.locale or "sv"
    lines = [budget_shares(ctx.t, ctx.round).format(budget=ctx.t.money(ctx.round.budget))]
    lines += [f"• {area.name(locale)}: {ctx.t.money(area.budget)}" for area in ctx.round.areas]
    return "\n".join(lines)


def criteria_text(ctx: Context) -> str:
    """The criteria every idea is reviewed against."""
    assert ctx.round is not None
    _ = ctx._
    locale = ctx.participant.locale or "sv"
    lines = [_("Every idea is checked against these criteria:")]
    lines += [f"• {criterion.name(locale)}" for criterion in ctx.round.criteria]
    return "\n".join(lines)


def dates_text(ctx: Context) -> str:
    """When each phase opens."""
    assert ctx.round is not None
    _ = ctx._
    lines = [_("Dates of the round:")]
    lines += [
        f"• {_(PHASE_NAMES[phase])}: {ctx.date(opens_at(ctx.round, phase))}" for phase in SCHEDULED
    ]
    lines.append(f"• {_(PHASE_NAMES[Phase.CLOSED])}: {ctx.date(ctx.round.closes_at)}")
    return "\n".join(lines)


def faq_text(ctx: Context) -> str:
    """Common questions."""
    assert ctx.round is not None
    _ = ctx._
    staff_faq = ctx.round.text("faq", ctx.participant.locale or "sv")
    text = "\n\n".join(
        [
            _("Who can take part? Everyone the round is for, whatever their age or citizenship."),
            how_voting_works(ctx.t, ctx.round),
            _("Can I change my vote? Yes, until voting closes. The last ballot counts."),
            _(
                "Can anyone check the count? Yes: the anonymised ballots are published and your "
                "receipt code lets you find your own."
            ),
        ]
    )
    return f"{text}\n\n{staff_faq}" if staff_faq else text


SECTIONS = {
    "steps": steps_text,
    "budget": budget_text,
    "criteria": criteria_text,
    "dates": dates_text,
    "faq": faq_text,
}
