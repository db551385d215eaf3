"""Cast a ranked vote: choose area, pick #1, #2 … up to K, review, confirm, get a receipt."""

from __future__ import annotations

from budgeting.models import Proposal
from budgeting.phases import Phase, closes_at
from budgeting.services import ballots, proposals, voting_codes
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.states import Flow, VoteStep
from dialogs.types import Button
from dialogs.wording import int_arg, phase_open, short, show_menu, stale_button

MAX_CODE_FAILURES = 5
router = FlowRouter(Flow.VOTE)


@router.command("vote")
async def vote(ctx: Context, args: str) -> None:
    """Start voting: ask for the area, or go straight to the ranking."""
    _ = ctx._
    if not phase_open(
        ctx, Phase.VOTING, _("Voting is open {window}. The round is now in another phase.")
    ):
        return
    assert ctx.round is not None
    if ctx.round.requires_voting_code and not await voting_codes.code_of(
        ctx.session, ctx.round, ctx.participant
    ):
        ctx.goto(Flow.VOTE, VoteStep.CODE)
        ctx.say(
            _("This round uses voting codes. Please type the code from your letter."),
            [Button(_("Cancel"), "menu")],
        )
        return
    await choose_area_prompt(ctx)


@router.step(VoteStep.CODE)
async def code_step(ctx: Context, text: str) -> None:
    """Redeem a voting code, with a limit on wrong guesses."""
    assert ctx.round is not None
    failures = [t for t in ctx.state.data.get("failures", []) if ctx.now.timestamp() - t < 3600]
    if len(failures) >= MAX_CODE_FAILURES:
        raise RuleViolation("too_many_attempts")
    try:
        await voting_codes.redeem(ctx.session, ctx.round, ctx.participant, text, ctx.now)
    except RuleViolation:
        ctx.update(failures=[*failures, ctx.now.timestamp()])
        raise
    ctx.say(ctx._("Thank you, your voting code is accepted."))
    await choose_area_prompt(ctx)


async def choose_area_prompt(ctx: Context) -> None:
    """Say whether a ballot exists, then ask for the area (or go straight to ranking)."""
    assert ctx.round is not None
    _ = ctx._
    existing = await ballots.ballot_of(ctx.session, ctx.round, ctx.participant)
    ctx.goto(Flow.VOTE, VoteStep.AREA)
    if existing is not None:
        ctx.say(
            _(
                "You have already voted (receipt {code}). If you vote again, your new ballot "
                "replaces the old one."
            ).format(code=existing.receipt_code)
        )
    areas = ctx.round.areas
    if len(areas) == 1:
        await choose_area(ctx, [str(areas[0].id)])
        return
    locale = ctx.participant.locale or "sv"
    ctx.say(
        _("You vote on the projects of one area. Which area do you live in?"),
        [Button(area.name(locale), router.payload("area", area.id)) for area in areas]
        + [Button(_("Cancel"), "menu")],
    )


@router.action("area")
async def choose_area(ctx: Context, args: list[str]) -> None:
    """Area chosen: start an empty ranking."""
    area_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.AREA) or ctx.round is None or area_id is None:
        stale_button(ctx)
        return
    if area_of(ctx.round, area_id) is None:
        stale_button(ctx)
        return
    ctx.update(VoteStep.RANK, area_id=area_id, picks=[])
    await show_builder(ctx)


async def ballot_list(ctx: Context) -> list[Proposal]:
    """The proposals on the ballot of the chosen area."""
    assert ctx.round is not None
    return await proposals.visible_proposals(
        ctx.session, ctx.round, ctx.state.data["area_id"], ballot_only=True
    )


def ranking_lines(ctx: Context, picks: list[int], by_id: dict[int, Proposal]) -> list[str]:
    """``1. #12 Title (3 points)`` for each pick."""
    assert ctx.round is not None
    k = ctx.round.max_ranks
    return [
        "{rank}. #{id} {title} ({points})".format(
            rank=i + 1,
            id=pid,
            title=by_id[pid].title,
            points=ctx.ngettext("{n} point", "{n} points", k - i).format(n=k - i),
        )
        for i, pid in enumerate(picks)
    ]


async def show_builder(ctx: Context) -> None:
    """The ranking so far and the projects still to choose from."""
    assert ctx.round is not None
    _ = ctx._
    picks: list[int] = list(ctx.state.data.get("picks", []))
    on_ballot = await ballot_list(ctx)
    by_id = {p.id: p for p in on_ballot}
    area = area_of(ctx.round, ctx.state.data["area_id"])
    k, minimum = ctx.round.max_ranks, ctx.round.min_ranks
    if not on_ballot:
        ctx.clear()
        show_menu(ctx, _("There are no projects on the ballot of this area."))
        return
    lines = []
    if not picks:
        lines.append(
            _(
                "Rank up to {k} projects in {area} (budget {budget}). Your #1 gets {k} points, "
                "your #2 one point less, and so on."
            ).format(
                k=k,
                area=area.name(ctx.participant.locale or "sv") if area else "",
                budget=ctx.t.money(area.budget if area else ctx.round.budget),
            )
        )
    else:
        lines += [_("Your ranking so far:"), *ranking_lines(ctx, picks, by_id)]
    remaining = [p for p in on_ballot if p.id not in picks]
    limit = min(k, len(on_ballot))
    if len(picks) >= limit or not remaining:
        await show_review(ctx)
        return
    lines.append(_("Choose your #{rank}:").format(rank=len(picks) + 1))
    buttons: list[Button | list[Button]] = [
        Button(
            f"#{p.id} {short(p.title, 32)} — {ctx.t.money(p.cost)}", router.payload("pick", p.id)
        )
        for p in remaining
    ]
    controls = []
    if picks:
        controls.append(Button(_("Undo"), router.payload("undo")))
    if len(picks) >= minimum:
        controls.append(Button(_("Done"), router.payload("done")))
    controls.append(Button(_("Cancel"), "menu"))
    buttons.append(controls)
    ctx.say("\n".join(lines), buttons, replaces_previous=ctx.incoming.payload is not None)


@router.action("pick")
async def pick(ctx: Context, args: list[str]) -> None:
    """Add a project at the next rank."""
    proposal_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.RANK) or proposal_id is None or ctx.round is None:
        stale_button(ctx)
        return
    ballots.require_voting_phase(ctx.round, ctx.now)
    picks = list(ctx.state.data.get("picks", []))
    on_ballot = {p.id for p in await ballot_list(ctx)}
    if proposal_id not in on_ballot or proposal_id in picks:
        stale_button(ctx)
        return
    picks.append(proposal_id)
    ctx.update(picks=picks)
    await show_builder(ctx)


@router.action("undo")
async def undo(ctx: Context, args: list[str]) -> None:
    """Remove the last pick."""
    if not ctx.in_step(Flow.VOTE, VoteStep.RANK, VoteStep.REVIEW):
        stale_button(ctx)
        return
    ctx.update(VoteStep.RANK, picks=list(ctx.state.data.get("picks", []))[:-1])
    await show_builder(ctx)


@router.action("done")
async def done(ctx: Context, args: list[str]) -> None:
    """Finish ranking early (once the minimum is reached)."""
    if not ctx.in_step(Flow.VOTE, VoteStep.RANK) or ctx.round is None:
        stale_button(ctx)
        return
    if len(ctx.state.data.get("picks", [])) < ctx.round.min_ranks:
        ctx.say(ctx._("Please rank at least {n} projects.").format(n=ctx.round.min_ranks))
        return
    await show_review(ctx)


async def show_review(ctx: Context) -> None:
    """The whole ballot, to confirm."""
    assert ctx.round is not None
    _ = ctx._
    ctx.update(VoteStep.REVIEW)
    picks = list(ctx.state.data.get("picks", []))
    by_id = {p.id: p for p in await ballot_list(ctx)}
    lines = [_("Your ballot:"), *ranking_lines(ctx, picks, by_id)]
    existing = await ballots.ballot_of(ctx.session, ctx.round, ctx.participant)
    if existing is not None:
        lines.append(_("Confirming replaces the ballot you cast earlier."))
    lines.append(_("Cast this ballot?"))
    ctx.say(
        "\n".join(lines),
        [
            [Button(_("Confirm"), router.payload("confirm"))],
            [
                Button(_("Undo"), router.payload("undo")),
                Button(_("Start over"), router.payload("restart")),
            ],
            [Button(_("Cancel"), "menu")],
        ],
        replaces_previous=ctx.incoming.payload is not None,
    )


@router.action("restart")
async def restart(ctx: Context, args: list[str]) -> None:
    """Empty the ranking."""
    if not ctx.in_step(Flow.VOTE, VoteStep.RANK, VoteStep.REVIEW):
        stale_button(ctx)
        return
    ctx.update(VoteStep.RANK, picks=[])
    await show_builder(ctx)


@router.action("confirm")
async def confirm(ctx: Context, args: list[str]) -> None:
    """Cast the ballot; the receipt is shown only after it is stored."""
    if not ctx.in_step(Flow.VOTE, VoteStep.REVIEW) or ctx.round is None:
        stale_button(ctx)
        return
    data = ctx.state.data
    ballot = await ballots.cast_ballot(
        ctx.session, ctx.round, ctx.participant, data["area_id"], data["picks"], ctx.now
    )
    ctx.clear()
    _ = ctx._
    show_menu(
        ctx,
        _(
            "Thank you, your vote is counted. Your receipt code: {code}\n"
            "Keep it: it lets you find your ballot in the published, anonymised list. "
            "You can change your vote with /vote until {end}."
        ).format(code=ballot.receipt_code, end=ctx.date(closes_at(ctx.round, Phase.VOTING))),
    )
