"""Cumulative ballots: give each project 1..M points, N in all."""

from __future__ import annotations

from budgeting.models import Proposal
from budgeting.services import ballots
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import area_of
from dialogs.context import Context
from dialogs.flows.vote_steps import (
    ballot_list,
    points_lines,
    points_text,
    router,
    show_review,
)
from dialogs.states import Flow, VoteStep
from dialogs.types import Button
from dialogs.wording import int_arg, short, show_menu, stale_button


def points_left(ctx: Context, n: int) -> str:
    """``4 points left``."""
    return ctx.ngettext("{n} point left", "{n} points left", n).format(n=n)


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
