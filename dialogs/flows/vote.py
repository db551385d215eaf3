"""Cast a ballot: choose the area, fill in the ballot, review, confirm, get a receipt.

The round's ballot kind decides the middle: ranked (pick #1, #2 … up to K), approval
(toggle up to K projects on and off) or cumulative (give each project 1..M points, N in all).
"""

from __future__ import annotations

from budgeting.models import BallotKind, SplitKind
from budgeting.phases import Phase, closes_at
from budgeting.services import ballots, groups, rules, voting_codes
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.flows.vote_approval import show_choices
from dialogs.flows.vote_points import show_spread
from dialogs.flows.vote_steps import (
    BUILDING,
    ballot_list,
    build_step,
    ranking_lines,
    router,
    show_review,
)
from dialogs.part_words import group_kept, part_label, replaces_in_part, vote_question
from dialogs.states import Flow, VoteStep
from dialogs.types import Button
from dialogs.wording import (
    int_arg,
    phase_open,
    short,
    show_menu,
    stale_button,
    violation_text,
)

MAX_CODE_FAILURES = 5


@router.command("vote")
async def vote(ctx: Context, args: str) -> None:
    """Start voting: ask for the area, or go straight to the ranking."""
    _ = ctx._
    if not phase_open(
        ctx, Phase.VOTING, _("Voting is open {window}. The round is now in another phase.")
    ):
        return
    assert ctx.round is not None
    if ctx.round.requires_voting_code:
        code = await voting_codes.code_of(ctx.session, ctx.round, ctx.participant)
        if code is None or code.revoked_at is not None:
            if code is not None:
                ctx.say(
                    _(
                        "The voting code you used has been revoked by the staff, "
                        "so it cannot vote any more."
                    )
                )
            ask_for_code(ctx)
            return
    await choose_area_prompt(ctx)


def ask_for_code(ctx: Context) -> None:
    """Ask for the code from the letter."""
    ctx.goto(Flow.VOTE, VoteStep.CODE)
    code_prompt(ctx)


def code_prompt(ctx: Context) -> None:
    """The question for the code (the conversation already waits for it)."""
    ctx.say(
        ctx._("This round uses voting codes. Please type the code from your letter."),
        [Button(ctx._("Cancel"), "menu")],
    )


async def vote_with_code(ctx: Context, code: str) -> None:
    """Start voting with the code from a letter's link already filled in."""
    if not phase_open(
        ctx, Phase.VOTING, ctx._("Voting is open {window}. The round is now in another phase.")
    ):
        return
    assert ctx.round is not None
    if not ctx.round.requires_voting_code:
        await choose_area_prompt(ctx)
        return
    ctx.goto(Flow.VOTE, VoteStep.CODE)
    try:
        await code_step(ctx, code)
    except RuleViolation as refused:
        ctx.say(violation_text(ctx, refused))
        code_prompt(ctx)


@router.step(VoteStep.CODE)
async def code_step(ctx: Context, text: str) -> None:
    """Redeem a voting code, with a limit on wrong guesses."""
    assert ctx.round is not None
    failures = [t for t in ctx.state.data.get("failures", []) if ctx.now.timestamp() - t < 3600]
    if len(failures) >= MAX_CODE_FAILURES:
        raise RuleViolation("too_many_attempts")
    area_id = ctx.state.data.get("area_id")
    try:
        await voting_codes.redeem(ctx.session, ctx.round, ctx.participant, text, ctx.now, area_id)
    except RuleViolation:
        ctx.update(failures=[*failures, ctx.now.timestamp()])
        raise
    ctx.say(ctx._("Thank you, your voting code is accepted."))
    if area_id is None:
        await choose_area_prompt(ctx)
    else:
        await enter_part(ctx, area_id)


async def choose_area_prompt(ctx: Context) -> None:
    """Say whether a ballot exists, then ask for the area, theme or group (or go straight
    to the ballot: one part only, or the group the person declared earlier)."""
    assert ctx.round is not None
    round_ = ctx.round
    _ = ctx._
    ctx.goto(Flow.VOTE, VoteStep.AREA)
    if not rules.votes_in_each_part(round_):
        existing = await ballots.ballot_of(ctx.session, round_, ctx.participant)
        if existing is not None:
            ctx.say(
                _(
                    "You have already voted (receipt {code}). If you vote again, your new "
                    "ballot replaces the old one."
                ).format(code=existing.receipt_code)
            )
    locale = ctx.participant.locale or "sv"
    if round_.split_kind == SplitKind.GROUP:
        declared = area_of(
            round_, await groups.declared_group(ctx.session, round_, ctx.participant) or 0
        )
        if declared is not None:
            ctx.say(group_kept(ctx.t, declared.name(locale)))
            await enter_part(ctx, declared.id)
            return
    areas = round_.areas
    code = None
    if ctx.round.requires_voting_code or any(a.requires_voting_code for a in areas):
        code = await voting_codes.code_of(ctx.session, ctx.round, ctx.participant)
    code_area = await voting_codes.area_of_code(ctx.session, code) if code else None
    if code_area is not None and (area := area_of(ctx.round, code_area)) is not None:
        ctx.say(_("Your voting code is for {area}.").format(area=area.name(locale)))
        await choose_area(ctx, [str(area.id)])
        return
    if len(areas) == 1:
        await choose_area(ctx, [str(areas[0].id)])
        return
    ctx.say(
        vote_question(ctx.t, round_),
        [Button(area.name(locale), router.payload("area", area.id)) for area in areas]
        + [Button(_("Cancel"), "menu")],
    )


@router.action("area")
async def choose_area(ctx: Context, args: list[str]) -> None:
    """Area, theme or group chosen (a group is declared now, once): on to the ballot."""
    area_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.AREA) or ctx.round is None or area_id is None:
        stale_button(ctx)
        return
    if area_of(ctx.round, area_id) is None:
        stale_button(ctx)
        return
    if ctx.round.split_kind == SplitKind.GROUP:
        await groups.declare_group(ctx.session, ctx.round, ctx.participant, area_id, ctx.now)
    await enter_part(ctx, area_id)


async def enter_part(ctx: Context, area_id: int) -> None:
    """The voting code the part needs (if not yet given), then an empty ballot for it."""
    assert ctx.round is not None
    round_ = ctx.round
    if ballots.needs_voting_code(round_, area_id):
        code = await voting_codes.code_of(ctx.session, round_, ctx.participant)
        if code is None or code.revoked_at is not None:
            ctx.goto(Flow.VOTE, VoteStep.CODE, area_id=area_id)
            code_prompt(ctx)
            return
    if rules.votes_in_each_part(round_):
        existing = await ballots.ballot_of(ctx.session, round_, ctx.participant, area_id)
        area = area_of(round_, area_id)
        if existing is not None and area is not None:
            ctx.say(replaces_in_part(ctx.t, area.name(ctx.t.locale), existing.receipt_code))
    await start_ballot(ctx, area_id)


async def start_ballot(ctx: Context, area_id: int) -> None:
    """An empty ballot of the round's kind for ``area_id``."""
    assert ctx.round is not None
    ctx.update(build_step(ctx), area_id=area_id, picks=[], points=[])
    await show_any_builder(ctx)


async def show_any_builder(ctx: Context) -> None:
    """The builder of the round's ballot kind."""
    assert ctx.round is not None
    if ctx.round.ballot_kind == BallotKind.APPROVAL:
        await show_choices(ctx)
    elif ctx.round.ballot_kind == BallotKind.CUMULATIVE:
        await show_spread(ctx)
    else:
        await show_builder(ctx)


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
    ranked = ctx.round is not None and ctx.round.ballot_kind == BallotKind.RANKED
    if not ranked or not ctx.in_step(Flow.VOTE, VoteStep.RANK, VoteStep.REVIEW):
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
    n = ctx.round.min_ranks
    if len(ctx.state.data.get("picks", [])) < n:
        ctx.say(
            ctx.ngettext(
                "Please rank at least {n} project.", "Please rank at least {n} projects.", n
            ).format(n=n)
        )
        return
    await show_review(ctx)


@router.action("restart")
async def restart(ctx: Context, args: list[str]) -> None:
    """Empty the ballot."""
    if not ctx.in_step(Flow.VOTE, *BUILDING, VoteStep.REVIEW) or ctx.round is None:
        stale_button(ctx)
        return
    await start_ballot(ctx, ctx.state.data["area_id"])


@router.action("confirm")
async def confirm(ctx: Context, args: list[str]) -> None:
    """Cast the ballot; the receipt is shown only after it is stored."""
    if not ctx.in_step(Flow.VOTE, VoteStep.REVIEW) or ctx.round is None:
        stale_button(ctx)
        return
    data = ctx.state.data
    points = data.get("points") if ctx.round.ballot_kind == BallotKind.CUMULATIVE else None
    ballot = await ballots.cast_ballot(
        ctx.session,
        ctx.round,
        ctx.participant,
        data["area_id"],
        data["picks"],
        ctx.now,
        points,
        channel=ctx.incoming.channel,
    )
    ctx.clear()
    _ = ctx._
    thanks = _(
        "Thank you, your ballot is registered. Your receipt code: {code}\n"
        "Keep it: it lets you find your ballot in the published, anonymised list. "
        "You can change your ballot with /vote until {end}."
    ).format(code=ballot.receipt_code, end=ctx.date(closes_at(ctx.round, Phase.VOTING)))
    area = area_of(ctx.round, ballot.area_id)
    if ctx.round.split_kind != SplitKind.AREA and area is not None:
        thanks = part_label(ctx.t, ctx.round, area.name(ctx.t.locale)) + "\n" + thanks
    show_menu(ctx, thanks)


@router.action("edit")
async def edit(ctx: Context, args: list[str]) -> None:
    """From the review back to the approval or points builder, ballot kept."""
    if not ctx.in_step(Flow.VOTE, VoteStep.REVIEW) or ctx.round is None:
        stale_button(ctx)
        return
    if ctx.round.ballot_kind == BallotKind.RANKED:
        stale_button(ctx)
        return
    ctx.update(build_step(ctx))
    await show_any_builder(ctx)
