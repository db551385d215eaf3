"""The result of the vote once staff have published it: every project of every area with
its place and one sentence why, the voter's own ballot and what became of it, how exactly
it was counted, and how to check one's ballot in the published file (/verify)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import Translator
from budgeting.i18n import _ as N_
from budgeting.models import (
    Ballot,
    BallotKind,
    CouncilDecision,
    ImplementationStatus,
    Participant,
    Proposal,
    PublishedFile,
    Round,
    SplitKind,
    TallyRun,
)
from budgeting.phases import Phase
from budgeting.services.ballots import ballots_of
from budgeting.services.results import area_file, file_path, published_results
from budgeting.services.rounds import area_of
from budgeting.services.rules import declined
from budgeting.services.tally import explain_run
from budgeting.tally.model import APPROVAL, BELOW_MINIMUM, NO_ROOM, SELECTED, STOPPED
from budgeting.tally.outcomes import NO_SHARE, NO_VOTES, AreaOutcome, ProjectOutcome, area_outcomes
from dialogs.context import Context
from dialogs.part_words import part_label
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import int_arg, show_menu, stale_button

EXPLANATION_LINES = 30
MESSAGE_LIMIT = 3500
"""Characters of one message; longer results are split between projects (Telegram's
limit is 4096)."""
"""Where the HTTP app serves published files (``budgeting.services.results`` once the
rounds work lands there)."""
DECISIONS = {
    CouncilDecision.APPROVED: N_("approved by the council"),
    CouncilDecision.DECLINED: N_("declined by the council"),
}
IMPLEMENTATION = {
    ImplementationStatus.NOT_STARTED: N_("not started"),
    ImplementationStatus.PLANNING: N_("being planned"),
    ImplementationStatus.IN_PROGRESS: N_("in progress"),
    ImplementationStatus.DONE: N_("done"),
    ImplementationStatus.CANCELLED: N_("cancelled"),
}
router = FlowRouter(Flow.RESULTS)


# --- the words, shared with the proposal view and the results notification -------------


def score_words(t: Translator, kind: str, score: int) -> str:
    """``25 points``, or ``25 votes`` on approval ballots."""
    if kind == APPROVAL:
        return t.ngettext("{n} vote", "{n} votes", score).format(n=t.number(score))
    return t.ngettext("{n} point", "{n} points", score).format(n=t.number(score))


def money_words(t: Translator, amount: object) -> str:
    """Money; a fraction is rounded and said to be approximate."""
    value = float(amount)  # type: ignore[arg-type]
    if value != int(value):
        return t.gettext("about {amount}").format(amount=t.money(round(value)))
    return t.money(int(value))


def reason_sentence(t: Translator, area: AreaOutcome, project: ProjectOutcome) -> str:
    """One sentence: selected or not, and why ("Selected: 25 points, 60 000 kr.")."""
    _ = t.gettext
    score = score_words(t, area.kind, project.score)
    cost = t.money(project.cost)
    reason = project.reason
    if reason == SELECTED:
        text = _("Selected: {score}, {cost}.").format(score=score, cost=cost)
    elif reason == NO_VOTES:
        text = _("Not selected: nobody voted for it.")
    elif reason == BELOW_MINIMUM:
        text = _("Not selected: {score}, fewer than the {minimum} a project needs.").format(
            score=score, minimum=score_words(t, area.kind, project.min_score)
        )
    elif reason == NO_ROOM:
        text = _(
            "Not selected: {score}, but only {left} of the area's money was left "
            "and it costs {cost}."
        ).format(score=score, left=t.money(project.money_left or 0), cost=cost)
    elif reason == STOPPED:
        text = _(
            "Not selected: {score}; counting stopped at the first project that did not fit "
            "(#{project})."
        ).format(score=score, project=project.stopped_at)
    elif reason == NO_SHARE:
        text = _(
            "Not selected: {score}, but its supporters' share of the money was not enough: "
            "together they had {money} left and it costs {cost}."
        ).format(score=score, money=money_words(t, project.supporters_money or 0), cost=cost)
    else:
        text = _("Not selected: {score}.").format(score=score)
    return text + tie_note(t, area, project)


def tie_note(t: Translator, area: AreaOutcome, project: ProjectOutcome) -> str:
    """`` It had as many points as #11; a lot decided which came first.``, when that mattered."""
    if project.score == 0 or not project.tied_with:
        return ""
    others = [area.project(pid) for pid in project.tied_with]
    if all(o is None or o.selected == project.selected for o in others):
        return ""
    ids = ", ".join(f"#{pid}" for pid in project.tied_with)
    if area.tie_break == "lot":
        text = t.gettext("It had as many as {projects}; a lot decided which came first.")
    else:
        text = t.gettext("It had as many as {projects}; the order of the list decided.")
    return " " + text.format(projects=ids)


def decision_words(t: Translator, proposal: Proposal) -> str:
    """``approved by the council — in progress (40 %)``, or "" before any decision."""
    parts = []
    if proposal.council_decision:
        parts.append(t.gettext(DECISIONS[CouncilDecision(proposal.council_decision)]))
    if proposal.implementation_status:
        status = t.gettext(IMPLEMENTATION[ImplementationStatus(proposal.implementation_status)])
        parts.append(f"{status} ({proposal.progress} %)")
    return " — ".join(parts)


@dataclass(frozen=True)
class StoredChoice:
    """One project on a stored ballot: its position and the points the ballot gave it."""

    position: int
    project_id: str
    points: int


def stored_choices(round_: Round, ballot: Ballot) -> list[StoredChoice]:
    """The ballot's projects in ballot order with the points each got from it."""
    kind = round_.ballot_kind
    choices = []
    for rank in ballot.ranks:
        if kind == BallotKind.CUMULATIVE:
            points = rank.points or 0
        elif kind == BallotKind.APPROVAL:
            points = 1
        else:
            points = round_.max_ranks - rank.position
        choices.append(StoredChoice(rank.position, str(rank.proposal_id), points))
    return choices


def choice_line(t: Translator, round_: Round, choice: StoredChoice, title: str) -> str:
    """``1. #2 Utegym — you gave it 3 points`` (approval: ``• #2 Utegym``)."""
    kind = round_.ballot_kind
    if kind == BallotKind.APPROVAL:
        return f"• #{choice.project_id} {title}"
    given = t.ngettext("you gave it {n} point", "you gave it {n} points", choice.points).format(
        n=t.number(choice.points)
    )
    head = f"{choice.position + 1}." if kind == BallotKind.RANKED else "•"
    return f"{head} #{choice.project_id} {title} — {given}"


def ballot_story(t: Translator, round_: Round, ballot: Ballot, area: AreaOutcome) -> str:
    """The voter's ballot, project by project, with what became of each and why."""
    lines = [t.gettext("Your ballot and what became of it:")]
    chosen = 0
    for choice in stored_choices(round_, ballot):
        outcome = area.project(choice.project_id)
        lines.append(choice_line(t, round_, choice, outcome.name if outcome else ""))
        if outcome is not None:
            lines.append(reason_sentence(t, area, outcome))
            chosen += outcome.selected
    total = len(ballot.ranks)
    lines.append(
        t.ngettext(
            "{n} of the {total} projects on your ballot was selected.",
            "{n} of the {total} projects on your ballot were selected.",
            chosen,
        ).format(n=t.number(chosen), total=t.number(total))
    )
    return "\n".join(lines)


async def voter_story(
    session: AsyncSession, t: Translator, round_: Round, participant: Participant
) -> str | None:
    """The participant's ballot story once the results are published (None if no ballot);
    where a person voted in several themes, one story per theme, each headed by its theme."""
    if "areas" in inspect(round_).unloaded:  # a round read on its own (a notification's)
        await session.refresh(round_, ["areas"])
    cast = await ballots_of(session, round_, participant)
    if not cast:
        return None
    runs = {r.area_id: r for r in await published_results(session, round_)}
    stories = []
    for ballot in cast:
        run = runs.get(ballot.area_id)
        if run is None:
            continue
        story = ballot_story(t, round_, ballot, area_outcomes(run.result))
        area = area_of(round_, ballot.area_id)
        if round_.split_kind != SplitKind.AREA and area is not None:
            story = part_label(t, round_, area.name(t.locale)) + "\n" + story
        stories.append(story)
    return "\n\n".join(stories) or None


def packed(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks (paragraphs) joined into messages of at most ``limit`` characters each; a
    block is never split unless it alone is too long."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        while len(block) > limit:  # one block longer than a message: cut at a line end
            cut = block.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                messages.append(current)
                current = ""
            messages.append(block[:cut])
            block = block[cut:].lstrip("\n")
        joined = f"{current}\n\n{block}" if current else block
        if len(joined) > limit:
            messages.append(current)
            current = block
        else:
            current = joined
    if current:
        messages.append(current)
    return messages


def say_packed(ctx: Context, blocks: Sequence[str], buttons: Sequence[Button]) -> None:
    """Say the blocks in as few messages as fit; the buttons go under the last."""
    messages = packed(blocks)
    for n, text in enumerate(messages, start=1):
        ctx.say(text, buttons if n == len(messages) else ())


# --- /results -----------------------------------------------------------------------------


def area_blocks(
    ctx: Context, name: str, area: AreaOutcome, proposals: dict[int, Proposal]
) -> list[str]:
    """An area's heading and one block per project, by place."""
    t, _ = ctx.t, ctx._
    ballots = ctx.ngettext("{n} ballot", "{n} ballots", area.ballots).format(
        n=t.number(area.ballots)
    )
    selected = sum(p.selected for p in area.projects)
    heading = [
        _("{area} — budget {budget}, {ballots}.").format(
            area=name, budget=t.money(area.budget), ballots=ballots
        ),
        ctx.ngettext(
            "{n} project selected for {spent}; {left} was left.",
            "{n} projects selected for {spent}; {left} was left.",
            selected,
        ).format(n=t.number(selected), spent=t.money(area.spent), left=t.money(area.left)),
    ]
    if area.min_score > 1:
        heading.append(
            _("A project needs at least {minimum} to be selected.").format(
                minimum=score_words(t, area.kind, area.min_score)
            )
        )
    blocks = ["\n".join(heading)]
    for project in area.projects:
        proposal = proposals.get(int(project.id)) if project.id.isdigit() else None
        mark = "✅" if project.selected else "❌"
        if project.selected and proposal is not None and declined(proposal):
            mark = "⛔"
        lines = [
            f"{project.place}. {mark} #{project.id} {project.name}",
            reason_sentence(t, area, project),
        ]
        if project.selected and proposal is not None and (words := decision_words(t, proposal)):
            lines.append(words)
        blocks.append("\n".join(lines))
    return blocks


async def published_or_say(ctx: Context) -> list[TallyRun] | None:
    """The published counts; before publication says when they come and shows the menu."""
    if ctx.round is None:
        show_menu(ctx)
        return None
    runs = await published_results(ctx.session, ctx.round)
    if runs:
        return runs
    _ = ctx._
    before = ctx.phase in (Phase.UPCOMING, Phase.IDEAS, Phase.REVIEW, Phase.VOTING)
    ctx.say(
        _("The results are not published yet. They come after voting closes on {date}.").format(
            date=ctx.date(ctx.round.decision_opens_at)
        )
        if before
        else _("The results are not published yet.")
    )
    show_menu(ctx)
    return None


@router.command("results")
async def results(ctx: Context, args: str) -> None:
    """Every project of every area: place, points, selected or not and why."""
    runs = await published_or_say(ctx)
    if runs is None or ctx.round is None:
        return
    _ = ctx._
    areas = [(run, area_outcomes(run.result)) for run in runs]
    ids = [int(p.id) for _run, a in areas for p in a.projects if p.selected and p.id.isdigit()]
    found = {
        p.id: p
        for p in (await ctx.session.scalars(select(Proposal).where(Proposal.id.in_(ids)))).all()
    }
    locale = ctx.t.locale
    blocks = [_("Result of the vote, project by project:")]
    buttons = []
    for run, area in areas:
        round_area = area_of(ctx.round, run.area_id)
        name = round_area.name(locale) if round_area else ""
        heading = name
        if ctx.round.split_kind != SplitKind.AREA:
            heading = part_label(ctx.t, ctx.round, name)
        blocks += area_blocks(ctx, heading, area, found)
        label = _("How exactly? ({area})").format(area=name) if len(areas) > 1 else None
        buttons.append(Button(label or _("How exactly?"), router.payload("explain", run.area_id)))
    if await ballots_of(ctx.session, ctx.round, ctx.participant):
        buttons.append(Button(_("Your ballot"), router.payload("ballot")))
    buttons += [
        Button(_("Check your ballot"), "verify"),
        Button(_("Proposals"), "browse"),
        Button(_("Menu"), "menu"),
    ]
    say_packed(ctx, blocks, buttons)


@router.action("ballot")
async def your_ballot(ctx: Context, args: list[str]) -> None:
    """The voter's ballot, project by project, and what became of each."""
    runs = await published_or_say(ctx)
    if runs is None or ctx.round is None:
        return
    _ = ctx._
    story = await voter_story(ctx.session, ctx.t, ctx.round, ctx.participant)
    buttons = [
        Button(_("Check your ballot"), "verify"),
        Button(_("Results"), "results"),
        Button(_("Menu"), "menu"),
    ]
    say_packed(ctx, [story or _("You did not vote in this round.")], buttons)


@router.action("explain")
async def explanation(ctx: Context, args: list[str]) -> None:
    """How exactly one area was counted: the rule, the lot, each step, the published file."""
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
    _ = ctx._
    lines = explain_run(run, ctx.t.locale)
    if len(lines) > EXPLANATION_LINES:
        rest = len(lines) - EXPLANATION_LINES
        lines = [
            *lines[:EXPLANATION_LINES],
            ctx.ngettext(
                "… and {n} more step in the published count.",
                "… and {n} more steps in the published count.",
                rest,
            ).format(n=ctx.t.number(rest)),
        ]
    if run.result.get("tie_break", "lot") == "lot" and not run.result.get("ties"):
        lines.append(
            _("No tie had to be broken; the lot for ties was drawn with seed {seed}.").format(
                seed=run.result.get("seed", run.seed)
            )
        )
    file = await area_file(ctx.session, ctx.round.id, area_id)
    blocks = ["\n".join(lines), file_words(ctx, file)]
    say_packed(
        ctx,
        blocks,
        [
            Button(_("Check your ballot"), "verify"),
            Button(_("Results"), "results"),
            Button(_("Menu"), "menu"),
        ],
    )


# --- /verify ------------------------------------------------------------------------------


def file_link(ctx: Context, file: PublishedFile) -> str:
    """The public address the file is downloaded from."""
    return ctx.public_url.rstrip("/") + file_path(file.round_id, file.filename)


def file_words(ctx: Context, file: PublishedFile | None) -> str:
    """The published file's name, SHA-256 and link (or that it comes with the results)."""
    _ = ctx._
    if file is None:
        return _("The file with every anonymised ballot comes with the results.")
    return "\n".join(
        [
            _("Published file with every anonymised ballot: {filename}").format(
                filename=file.filename
            ),
            _("SHA-256: {hash}").format(hash=file.sha256),
            _("Download: {url}").format(url=file_link(ctx, file)),
        ]
    )


@router.command("verify")
async def verify(ctx: Context, args: str) -> None:
    """The receipt, the ballot as stored, the published file's hash and how to find it
    (for each ballot, where a person voted in several themes)."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    round_ = ctx.round
    cast = await ballots_of(ctx.session, round_, ctx.participant)
    menu = Button(_("Menu"), "menu")
    if not cast:
        ctx.say(
            _("You have not voted in this round, so there is no ballot to check."),
            [Button(_("Vote"), "vote"), menu] if ctx.phase is Phase.VOTING else [menu],
        )
        return
    blocks = []
    for ballot in cast:
        blocks += await verify_blocks(ctx, ballot)
    published = round_.results_published_at is not None
    buttons = [Button(_("Results"), "results"), menu] if published else [menu]
    say_packed(ctx, blocks, buttons)


async def verify_blocks(ctx: Context, ballot: Ballot) -> list[str]:
    """One ballot's receipt, its choices as stored, the file and where to find it there."""
    assert ctx.round is not None
    _ = ctx._
    round_ = ctx.round
    area = area_of(round_, ballot.area_id)
    name = area.name(ctx.t.locale) if area else ""
    if round_.split_kind != SplitKind.AREA:
        name = part_label(ctx.t, round_, name)
    ids = [rank.proposal_id for rank in ballot.ranks]
    titles = dict(
        (
            await ctx.session.execute(
                select(Proposal.id, Proposal.title).where(Proposal.id.in_(ids))
            )
        ).all()
    )
    choices = stored_choices(round_, ballot)
    stored = [
        _("Your receipt code: {code}").format(code=ballot.receipt_code),
        _("Your ballot as stored ({area}):").format(area=name),
        *(choice_line(ctx.t, round_, c, titles.get(int(c.project_id), "")) for c in choices),
    ]
    published = round_.results_published_at is not None
    file = await area_file(ctx.session, round_.id, ballot.area_id) if published else None
    blocks = ["\n".join(stored), file_words(ctx, file)]
    if file is not None:
        vote = ",".join(c.project_id for c in choices)
        if round_.ballot_kind == BallotKind.CUMULATIVE:
            where = _(
                "To find your ballot, open the file, go to the VOTES section and search for "
                "your receipt code {code}. On that line the vote column lists the project ids "
                "you gave points to ({vote}) and the points column your points in the same "
                "order ({points})."
            )
        elif round_.ballot_kind == BallotKind.APPROVAL:
            where = _(
                "To find your ballot, open the file, go to the VOTES section and search for "
                "your receipt code {code}. On that line the vote column lists the ids of the "
                "projects you chose ({vote})."
            )
        else:
            where = _(
                "To find your ballot, open the file, go to the VOTES section and search for "
                "your receipt code {code}. On that line the vote column lists the project ids, "
                "best first ({vote})."
            )
        blocks.append(
            where.format(
                code=ballot.receipt_code,
                vote=vote,
                points=",".join(str(c.points) for c in choices),
            )
            + "\n"
            + _(
                "The file's SHA-256 shows it is the published one: anyone can compute it "
                "(for example with sha256sum) and recount the file."
            )
        )
    return blocks
