"""Cast a ballot: choose the area, fill in the ballot, review, confirm, get a receipt.

The round's ballot kind decides the middle: ranked (pick #1, #2 … up to K), approval
(toggle up to K projects on and off) or cumulative (give each project 1..M points, N in all).
"""

from __future__ import annotations

from budgeting.models import BallotKind, Proposal
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


async def show_review(ctx: Context) -> None:
    """The whole ballot, to confirm."""
    assert ctx.round is not None
    _ = ctx._
    ctx.update(VoteStep.REVIEW)
    picks = list(ctx.state.data.get("picks", []))
    by_id = {p.id: p for p in await ballot_list(ctx)}
    kind = ctx.round.ballot_kind
    lines = [_("Your ballot:")]
    if kind == BallotKind.APPROVAL:
        lines += choice_lines(picks, by_id)
    elif kind == BallotKind.CUMULATIVE:
        lines += points_lines(ctx, picks, list(ctx.state.data.get("points", [])), by_id)
    else:
        lines += ranking_lines(ctx, picks, by_id)
    existing = await ballots.ballot_of(ctx.session, ctx.round, ctx.participant)
    if existing is not None:
        lines.append(_("Confirming replaces the ballot you cast earlier."))
    lines.append(_("Cast this ballot?"))
    back = (
        Button(_("Undo"), router.payload("undo"))
        if kind == BallotKind.RANKED
        else Button(_("Change"), router.payload("edit"))
    )
    ctx.say(
        "\n".join(lines),
        [
            [Button(_("Confirm"), router.payload("confirm"))],
            [back, Button(_("Start over"), router.payload("restart"))],
            [Button(_("Cancel"), "menu")],
        ],
        replaces_previous=ctx.incoming.payload is not None,
    )


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
        ctx.session, ctx.round, ctx.participant, data["area_id"], data["picks"], ctx.now, points
    )
    ctx.clear()
    _ = ctx._
    show_menu(
        ctx,
        _(
            "Thank you, your ballot is registered. Your receipt code: {code}\n"
            "Keep it: it lets you find your ballot in the published, anonymised list. "
            "You can change your ballot with /vote until {end}."
        ).format(code=ballot.receipt_code, end=ctx.date(closes_at(ctx.round, Phase.VOTING))),
    )


# -- approval: choose up to K ---------------------------------------------------------------


def choice_lines(picks: list[int], by_id: dict[int, Proposal]) -> list[str]:
    """``✓ #12 Title`` for each chosen project."""
    return [f"✓ #{pid} {by_id[pid].title}" for pid in picks if pid in by_id]


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


# -- cumulative: spread N points, at most M on one project ----------------------------------


def points_text(ctx: Context, n: int) -> str:
    """``3 points``."""
    return ctx.ngettext("{n} point", "{n} points", n).format(n=n)


def points_left(ctx: Context, n: int) -> str:
    """``4 points left``."""
    return ctx.ngettext("{n} point left", "{n} points left", n).format(n=n)


def points_lines(
    ctx: Context, picks: list[int], points: list[int], by_id: dict[int, Proposal]
) -> list[str]:
    """``#12 Title: 3 points`` for each project given points, and how many are used."""
    assert ctx.round is not None
    lines = [
        f"• #{pid} {by_id[pid].title}: {points_text(ctx, p)}"
        for pid, p in zip(picks, points, strict=True)
        if pid in by_id
    ]
    total = ctx.round.points_total
    lines.append(
        ctx.ngettext(
            "Points given: {given} of {n}.", "Points given: {given} of {n}.", total
        ).format(given=sum(points), n=total)
    )
    return lines


def given_points(ctx: Context) -> dict[int, int]:
    """The points given so far, by project (in the order they were given)."""
    data = ctx.state.data
    return dict(zip(data.get("picks", []), data.get("points", []), strict=True))


def set_points(ctx: Context, given: dict[int, int]) -> None:
    """Store ``given`` as the ballot's parallel lists of projects and points."""
    ctx.update(picks=list(given), points=list(given.values()))


async def show_spread(ctx: Context) -> None:
    """The points given so far, the points left and the projects to give them to."""
    assert ctx.round is not None
    _ = ctx._
    ctx.update(VoteStep.SPREAD)
    on_ballot = await ballot_list(ctx)
    if not on_ballot:
        ctx.clear()
        show_menu(ctx, _("There are no projects on the ballot of this area."))
        return
    by_id = {p.id: p for p in on_ballot}
    given = {pid: p for pid, p in given_points(ctx).items() if pid in by_id}
    area = area_of(ctx.round, ctx.state.data["area_id"])
    total, most = ctx.round.points_total, ctx.round.points_per_project
    left = total - sum(given.values())
    lines = [
        ctx.ngettext(
            "Spread {n} point over the projects in {area} (budget {budget}).",
            "Spread {n} points over the projects in {area} (budget {budget}).",
            total,
        ).format(
            n=total,
            area=area.name(ctx.participant.locale or "sv") if area else "",
            budget=ctx.t.money(area.budget if area else ctx.round.budget),
        )
        + " "
        + ctx.ngettext(
            "At most {m} point on one project.", "At most {m} points on one project.", most
        ).format(m=most)
    ]
    if given:
        lines += [
            _("Your points so far:"),
            *points_lines(ctx, list(given), list(given.values()), by_id),
        ]
    lines.append(points_left(ctx, left))
    lines.append(_("Choose a project to give it points, or to change its points:"))
    buttons: list[Button | list[Button]] = [
        Button(
            f"#{p.id} {short(p.title, 30)} — "
            + (points_text(ctx, given[p.id]) if p.id in given else ctx.t.money(p.cost)),
            router.payload("project", p.id),
        )
        for p in on_ballot
    ]
    controls = []
    if given:
        controls.append(Button(_("Done"), router.payload("done_spreading")))
    controls.append(Button(_("Cancel"), "menu"))
    buttons.append(controls)
    ctx.say("\n".join(lines), buttons, replaces_previous=ctx.incoming.payload is not None)


@router.action("project")
async def choose_project(ctx: Context, args: list[str]) -> None:
    """A project to give points to: ask how many."""
    proposal_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.SPREAD) or proposal_id is None or ctx.round is None:
        stale_button(ctx)
        return
    ballots.require_voting_phase(ctx.round, ctx.now)
    by_id = {p.id: p for p in await ballot_list(ctx)}
    proposal = by_id.get(proposal_id)
    if proposal is None:
        stale_button(ctx)
        return
    given = given_points(ctx)
    if proposal_id not in given and sum(given.values()) >= ctx.round.points_total:
        ctx.say(
            ctx._(
                "You have no points left. Take points from another project first: "
                "choose it and give it fewer points."
            )
        )
        return
    ctx.update(VoteStep.POINTS, project=proposal_id)
    await show_points(ctx, proposal)


def most_for(ctx: Context, proposal_id: int) -> int:
    """The most points the project can get now: M, and no more than the points left."""
    assert ctx.round is not None
    given = given_points(ctx)
    left = ctx.round.points_total - sum(given.values()) + given.get(proposal_id, 0)
    return max(0, min(ctx.round.points_per_project, left))


async def show_points(ctx: Context, proposal: Proposal) -> None:
    """Buttons 1..min(M, left) for one project, and Remove if it has points."""
    _ = ctx._
    given = given_points(ctx)
    most = most_for(ctx, proposal.id)
    lines = [f"#{proposal.id} {proposal.title} — {ctx.t.money(proposal.cost)}"]
    if proposal.id in given:
        lines.append(
            ctx.ngettext(
                "It has {n} point from you now.",
                "It has {n} points from you now.",
                given[proposal.id],
            ).format(n=given[proposal.id])
        )
    assert ctx.round is not None
    lines.append(points_left(ctx, ctx.round.points_total - sum(given.values())))
    lines.append(
        ctx.ngettext(
            "How many points do you give it? (at most {m} point)",
            "How many points do you give it? (1 to {m} points)",
            most,
        ).format(m=most)
    )
    numbers = [Button(str(n), router.payload("give", proposal.id, n)) for n in range(1, most + 1)]
    rows: list[Button | list[Button]] = [numbers[i : i + 5] for i in range(0, len(numbers), 5)]
    controls = []
    if proposal.id in given:
        controls.append(Button(_("Remove"), router.payload("remove", proposal.id)))
    controls.append(Button(_("Back"), router.payload("back")))
    rows.append(controls)
    ctx.say("\n".join(lines), rows, replaces_previous=ctx.incoming.payload is not None)


async def give(ctx: Context, proposal_id: int, points: int) -> None:
    """Give the chosen project ``points`` if the rules allow; else say why, change nothing."""
    assert ctx.round is not None
    ballots.require_voting_phase(ctx.round, ctx.now)
    if not 1 <= points <= ctx.round.points_per_project:
        raise RuleViolation("points_per_project", maximum=ctx.round.points_per_project)
    most = most_for(ctx, proposal_id)
    if points > most:
        ctx.say(
            ctx.ngettext(
                "You have only {n} point left for this project.",
                "You have only {n} points left for this project.",
                most,
            ).format(n=most)
        )
        return
    given = given_points(ctx)
    given[proposal_id] = points
    set_points(ctx, given)
    await show_spread(ctx)


def points_project(ctx: Context, args: list[str]) -> int | None:
    """The project of a points button, if it is the one being given points now."""
    proposal_id = int_arg(args)
    if not ctx.in_step(Flow.VOTE, VoteStep.POINTS) or ctx.round is None:
        return None
    return proposal_id if proposal_id == ctx.state.data.get("project") else None


@router.action("give")
async def give_points(ctx: Context, args: list[str]) -> None:
    """A number button: the chosen project gets that many points."""
    proposal_id, points = points_project(ctx, args), int_arg(args, 1)
    if proposal_id is None or points is None:
        stale_button(ctx)
        return
    await give(ctx, proposal_id, points)


@router.step(VoteStep.POINTS)
async def typed_points(ctx: Context, text: str) -> None:
    """A typed number of points, like pressing its button."""
    assert ctx.round is not None
    proposal_id = ctx.state.data["project"]
    try:
        points = int(text.strip())
    except ValueError:
        most = most_for(ctx, proposal_id)
        ctx.say(
            ctx.ngettext(
                "Please type a number of points, at most {m}, or choose Back.",
                "Please type a number of points from 1 to {m}, or choose Back.",
                most,
            ).format(m=most)
        )
        return
    if points > 2**31:
        points = 2**31
    await give(ctx, proposal_id, points)


@router.action("remove")
async def remove_points(ctx: Context, args: list[str]) -> None:
    """Take all points from the chosen project."""
    proposal_id = points_project(ctx, args)
    given = given_points(ctx)
    if proposal_id is None or proposal_id not in given:
        stale_button(ctx)
        return
    del given[proposal_id]
    set_points(ctx, given)
    await show_spread(ctx)


@router.action("back")
async def back(ctx: Context, args: list[str]) -> None:
    """Back from a project's points to the whole ballot, unchanged."""
    if not ctx.in_step(Flow.VOTE, VoteStep.POINTS):
        stale_button(ctx)
        return
    await show_spread(ctx)


@router.action("done_spreading")
async def done_spreading(ctx: Context, args: list[str]) -> None:
    """Review the points once at least one project has some."""
    if not ctx.in_step(Flow.VOTE, VoteStep.SPREAD) or ctx.round is None:
        stale_button(ctx)
        return
    if not given_points(ctx):
        raise RuleViolation("points_empty")
    await show_review(ctx)


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


BUILD_STEP = {
    BallotKind.RANKED: VoteStep.RANK,
    BallotKind.APPROVAL: VoteStep.CHOOSE,
    BallotKind.CUMULATIVE: VoteStep.SPREAD,
}
"""The step in which a ballot of each kind is filled in."""


def build_step(ctx: Context) -> VoteStep:
    """The step in which the round's ballot is filled in."""
    assert ctx.round is not None
    return BUILD_STEP.get(BallotKind(ctx.round.ballot_kind), VoteStep.RANK)


BUILDING = (VoteStep.RANK, VoteStep.CHOOSE, VoteStep.SPREAD, VoteStep.POINTS)
