"""What every kind of ballot shares: the vote router, the projects of the area, the
steps of filling in a ballot, and the review before it is cast.
"""

from __future__ import annotations

from budgeting.models import BallotKind, Proposal
from budgeting.services import ballots, proposals
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.states import Flow, VoteStep
from dialogs.types import Button

router = FlowRouter(Flow.VOTE)


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
    existing = await ballots.ballot_of(
        ctx.session, ctx.round, ctx.participant, ctx.state.data["area_id"]
    )
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


def choice_lines(picks: list[int], by_id: dict[int, Proposal]) -> list[str]:
    """``✓ #12 Title`` for each chosen project."""
    return [f"✓ #{pid} {by_id[pid].title}" for pid in picks if pid in by_id]


def points_text(ctx: Context, n: int) -> str:
    """``3 points``."""
    return ctx.ngettext("{n} point", "{n} points", n).format(n=n)


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
