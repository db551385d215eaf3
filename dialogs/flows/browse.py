"""Browse proposals by area, open one (its discussion is in ``discussion``), follow proposals."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from budgeting.i18n import _ as N_
from budgeting.models import (
    CouncilDecision,
    ImplementationStatus,
    ImplementationUpdate,
    Proposal,
    ProposalStatus,
)
from budgeting.models.base import translations
from budgeting.phases import Phase
from budgeting.services import browsing, discussion, proposals, rules
from budgeting.services.browsing import Sort
from budgeting.services.errors import RuleViolation
from budgeting.services.results import published_results
from budgeting.services.rounds import area_of
from budgeting.tally.outcomes import area_outcomes
from dialogs.context import Context
from dialogs.flows import discussion as thread
from dialogs.flows.ideas import status_name
from dialogs.flows.results import DECISIONS, IMPLEMENTATION, reason_sentence, say_packed
from dialogs.part_words import browse_question, part_label
from dialogs.routing import FlowRouter
from dialogs.staff_texts import staff_text
from dialogs.states import BrowseStep, Flow
from dialogs.types import Button
from dialogs.wording import int_arg, short, show_menu, stale_button, violation_text, visible_from

BALLOT_PHASES = (Phase.VOTING, Phase.DECISION, Phase.IMPLEMENTATION, Phase.FOLLOWUP, Phase.CLOSED)
router = FlowRouter(Flow.BROWSE)


@router.command("browse")
async def browse(ctx: Context, args: str) -> None:
    """Ask which area to browse (or go straight to the only one); ``/browse word`` finds."""
    if ctx.round is None or ctx.phase is Phase.UPCOMING:
        show_menu(ctx)
        return
    if args.strip():
        await find(ctx, args, Sort.NEWEST, 1)
        return
    if len(ctx.round.areas) == 1:
        await list_area(ctx, [str(ctx.round.areas[0].id)])
        return
    locale = ctx.participant.locale or "sv"
    ctx.say(
        browse_question(ctx.t, ctx.round),
        [Button(area.name(locale), router.payload("area", area.id)) for area in ctx.round.areas]
        + [Button(ctx._("Search"), router.payload("search")), Button(ctx._("Menu"), "menu")],
    )


def sort_arg(args: list[str], index: int) -> Sort:
    """The sort a payload names (newest if missing or forged)."""
    try:
        return Sort(args[index])
    except (IndexError, ValueError):
        return Sort.NEWEST


@router.action("area")
async def list_area(ctx: Context, args: list[str]) -> None:
    """A page of an area's proposals (``browse:area:<area>[:<sort>[:<page>]]``); once voting
    has started, those on the ballot, and always the rejected and merged ones, marked."""
    area_id = int_arg(args)
    area = area_of(ctx.round, area_id) if ctx.round and area_id else None
    if area is None or ctx.round is None:
        stale_button(ctx)
        return
    _ = ctx._
    sort, number = sort_arg(args, 1), int_arg(args, 2) or 1
    page = await browsing.listing(
        ctx.session,
        ctx.round,
        area_id=area.id,
        ballot_only=ctx.phase in BALLOT_PHASES,
        sort=sort,
        page=number - 1,
    )
    name = area.name(ctx.participant.locale or "sv")
    if not page.total:
        ctx.say(
            _("There are no proposals in {area} yet.").format(area=name),
            [Button(_("Menu"), "menu")],
        )
        return
    say_page(
        ctx,
        _("Proposals in {area}:").format(area=name),
        page,
        sort,
        lambda s, n: router.payload("area", area.id, s, n),
    )


@router.action("search")
async def ask_word(ctx: Context, args: list[str]) -> None:
    """Ask for the word to look for."""
    ctx.goto(Flow.BROWSE, BrowseStep.WORD)
    ctx.say(
        ctx._("Which word are you looking for? Type it, for example: bench"),
        [Button(ctx._("Cancel"), "browse")],
    )


@router.step(BrowseStep.WORD)
async def word_typed(ctx: Context, text: str) -> None:
    """Find the typed word."""
    await find(ctx, text, Sort.NEWEST, 1)


@router.action("found")
async def found_page(ctx: Context, args: list[str]) -> None:
    """Another page or order of the last search (``browse:found:<sort>:<page>``)."""
    searching = ctx.in_step(Flow.BROWSE, BrowseStep.FOUND)
    word = (ctx.state.data or {}).get("word") if searching else None
    if not word:
        stale_button(ctx)
        return
    await find(ctx, str(word), sort_arg(args, 0), int_arg(args, 1) or 1)


async def find(ctx: Context, text: str, sort: Sort, number: int) -> None:
    """The round's proposals containing every word of ``text``, a page at a time."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    word = browsing.clean_word(text)
    if not word:
        await ask_word(ctx, [])
        return
    ctx.goto(Flow.BROWSE, BrowseStep.FOUND, word=word)
    page = await browsing.listing(
        ctx.session,
        ctx.round,
        area_id=None,
        ballot_only=ctx.phase in BALLOT_PHASES,
        sort=sort,
        word=word,
        page=number - 1,
    )
    if not page.total:
        ctx.say(
            _("No proposal contains “{word}”. Try another word.").format(word=word),
            [
                Button(_("Search again"), router.payload("search")),
                Button(_("Browse"), "browse"),
                Button(_("Menu"), "menu"),
            ],
        )
        return
    say_page(
        ctx,
        _("Proposals containing “{word}”:").format(word=word),
        page,
        sort,
        lambda s, n: router.payload("found", s, n),
    )


SORT_NAMES = {
    Sort.NEWEST: N_("newest first"),
    Sort.SUPPORTED: N_("most supported first"),
    Sort.DISCUSSED: N_("most discussed first"),
}
SORT_BUTTONS = {
    Sort.NEWEST: N_("Newest"),
    Sort.SUPPORTED: N_("Most supported"),
    Sort.DISCUSSED: N_("Most discussed"),
}


def settled_mark(ctx: Context, proposal: Proposal) -> str:
    """``❌ Rejected``, ``🔀 Merged with #7`` or ``⛔ Declined by the council`` for a settled
    idea, else empty."""
    if rules.standing(proposal) == rules.DECLINED:
        return "⛔ " + ctx._("Declined by the council")
    if proposal.status == ProposalStatus.REJECTED:
        return "❌ " + ctx._("Rejected")
    if proposal.status == ProposalStatus.MERGED:
        if proposal.merged_into_id is None:
            return "🔀 " + ctx._("Merged with a similar idea")
        return "🔀 " + ctx._("Merged with #{id}").format(id=proposal.merged_into_id)
    return ""


def listed_line(ctx: Context, item: browsing.Listed) -> str:
    """``#3 Benches — 60 000 kr — 4 supporters — 2 comments`` (and its mark if settled)."""
    p = item.proposal
    parts = [
        f"#{p.id} {p.title}",
        ctx.t.money(p.cost),
        ctx.ngettext("{n} supporter", "{n} supporters", item.supports).format(
            n=ctx.t.number(item.supports)
        ),
        ctx.ngettext("{n} comment", "{n} comments", item.comments).format(
            n=ctx.t.number(item.comments)
        ),
    ]
    mark = settled_mark(ctx, p)
    return " — ".join([*parts, mark] if mark else parts)


def say_page(
    ctx: Context,
    heading: str,
    page: browsing.Page,
    sort: Sort,
    link: Callable[[str, int], str],
) -> None:
    """A page of a listing with buttons to open, turn the page, re-sort and search."""
    _ = ctx._
    lines = [
        heading,
        ctx.ngettext(
            "{n} proposal, {order}; page {page} of {pages}.",
            "{n} proposals, {order}; page {page} of {pages}.",
            page.total,
        ).format(
            n=ctx.t.number(page.total),
            order=_(SORT_NAMES[sort]),
            page=ctx.t.number(page.number + 1),
            pages=ctx.t.number(page.pages),
        ),
        "",
        *(listed_line(ctx, item) for item in page.items),
    ]
    buttons = [
        Button(f"#{i.proposal.id} {short(i.proposal.title)}", router.payload("open", i.proposal.id))
        for i in page.items
    ]
    if page.number > 0:
        buttons.append(Button("◀ " + _("Previous page"), link(sort, page.number)))
    if page.number + 1 < page.pages:
        buttons.append(Button(_("Next page") + " ▶", link(sort, page.number + 2)))
    buttons += [Button(_(SORT_BUTTONS[s]), link(s, 1)) for s in Sort if s is not sort]
    buttons += [Button(_("Search"), router.payload("search")), Button(_("Menu"), "menu")]
    ctx.say("\n".join(lines), buttons)


@router.action("open")
async def proposal_action(ctx: Context, args: list[str]) -> None:
    """Open a proposal."""
    proposal_id = int_arg(args)
    if proposal_id is None:
        stale_button(ctx)
        return
    await show_proposal(ctx, proposal_id)


async def show_proposal(ctx: Context, proposal_id: int) -> None:
    """A proposal card with its discussion and follow buttons."""
    if ctx.round is None:
        show_menu(ctx)
        return
    _ = ctx._
    try:
        proposal = await browsing.listed_proposal(ctx.session, ctx.round, proposal_id)
    except RuleViolation as error:
        ctx.say(violation_text(ctx, error), [Button(_("Menu"), "menu")])
        return
    area = area_of(ctx.round, proposal.area_id)
    count = (await proposals.comment_counts(ctx.session, [proposal.id])).get(proposal.id, 0)
    card = [
        f"#{proposal.id} {proposal.title}",
        part_label(ctx.t, ctx.round, area.name(ctx.t.locale) if area else ""),
        _("Cost: {cost}").format(cost=ctx.t.money(proposal.cost)),
        _("Status: {status}").format(
            status=settled_mark(ctx, proposal) or status_name(ctx, proposal)
        ),
        "",
        proposal.description,
        *await settled_lines(ctx, proposal),
    ]
    story = await proposal_story(ctx, proposal)
    if story:
        card += ["", *story]
    card += ["", ctx.ngettext("{n} comment", "{n} comments", count).format(n=ctx.t.number(count))]
    card += await thread.proposal_lines(ctx, proposal)
    following = await discussion.is_following(ctx.session, ctx.participant, proposal.id)
    buttons = [
        *await thread.proposal_buttons(ctx, proposal),
        Button(
            _("Unfollow") if following else _("Follow"),
            router.payload("unfollow" if following else "follow", proposal.id),
        ),
        Button(_("Back"), router.payload("area", proposal.area_id)),
    ]
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id:
        target = Button(
            _("Open #{id}").format(id=proposal.merged_into_id),
            router.payload("open", proposal.merged_into_id),
        )
        buttons.insert(0, target)
    updates = await implementation_updates(ctx, proposal)
    if not updates:
        ctx.say("\n".join(card), buttons, image=proposal.photo_ref)
        return
    ctx.say("\n".join(card), image=proposal.photo_ref)
    say_updates(ctx, updates, buttons)


async def settled_lines(ctx: Context, proposal: Proposal) -> list[str]:
    """For a rejected or merged idea, staff's official answer (in the reader's language or
    marked as Swedish only) and the proposal it was merged into."""
    _ = ctx._
    if proposal.status not in browsing.SETTLED:
        return []
    lines = [""]
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id:
        target = await ctx.session.get(Proposal, proposal.merged_into_id)
        if target is not None and target.round_id == proposal.round_id:
            lines.append(
                _("Merged into #{id} {title}; the discussion continues there.").format(
                    id=target.id, title=target.title
                )
            )
    answer = staff_text(ctx.t, translations(proposal.texts, "reason"), proposal.rejection_reason)
    if answer:
        lines.append(_("Answer from staff: {answer}").format(answer=answer))
    return lines


async def proposal_story(ctx: Context, proposal: Proposal) -> list[str]:
    """After the vote: points and place, selected or not and why, the council's decision
    and note, and how far the implementation has come."""
    assert ctx.round is not None
    _ = ctx._
    lines: list[str] = []
    run = next(
        (
            r
            for r in await published_results(ctx.session, ctx.round)
            if r.area_id == proposal.area_id
        ),
        None,
    )
    outcome = None
    if run is not None:
        area = area_outcomes(run.result)
        outcome = area.project(str(proposal.id))
        if outcome is not None:
            lines.append(
                _("Result of the vote: place {place} of {total}.").format(
                    place=ctx.t.number(outcome.place), total=ctx.t.number(len(area.projects))
                )
            )
            lines.append(reason_sentence(ctx.t, area, outcome))
    if proposal.council_decision:
        decision = ctx._(DECISIONS[CouncilDecision(proposal.council_decision)])
        lines.append(_("Decision: {decision}.").format(decision=decision))
        note = staff_text(
            ctx.t, translations(proposal.texts, "decision_note"), proposal.decision_note
        )
        if note:
            lines.append(_("Note on the decision: {note}").format(note=note))
    elif outcome is not None and outcome.selected:
        lines.append(_("The council has not decided on it yet."))
    if proposal.implementation_status:
        status = ImplementationStatus(proposal.implementation_status)
        lines.append(
            _("Implementation: {status}; done: {progress} %.").format(
                status=ctx._(IMPLEMENTATION[status]), progress=ctx.t.number(proposal.progress)
            )
        )
    return lines


async def implementation_updates(ctx: Context, proposal: Proposal) -> list[ImplementationUpdate]:
    """Every implementation update of the proposal, oldest first."""
    return list(
        (
            await ctx.session.scalars(
                select(ImplementationUpdate)
                .where(ImplementationUpdate.proposal_id == proposal.id)
                .order_by(ImplementationUpdate.created_at, ImplementationUpdate.id)
            )
        ).all()
    )


def update_line(ctx: Context, update: ImplementationUpdate) -> str:
    """``3 Dec 2027 10:00 — in progress, 40 %: The work has started.``"""
    status = ctx._(IMPLEMENTATION[ImplementationStatus(update.status)])
    return ctx._("{date} — {status}, {progress} %: {text}").format(
        date=ctx.date(update.created_at),
        status=status,
        progress=ctx.t.number(update.progress),
        text=staff_text(ctx.t, translations(update.texts, "body"), update.body),
    )


def say_updates(ctx: Context, updates: list[ImplementationUpdate], buttons: list[Button]) -> None:
    """The updates in order: those without a photo together, each photo with its own text."""
    heading = ctx.ngettext(
        "{n} update on the implementation:", "{n} updates on the implementation:", len(updates)
    ).format(n=ctx.t.number(len(updates)))
    pending: list[str] = [heading]
    for n, update in enumerate(updates, start=1):
        last = n == len(updates)
        if update.photo_ref is None:
            pending.append(update_line(ctx, update))
            continue
        if pending:
            say_packed(ctx, ["\n".join(pending)], ())
            pending = []
        ctx.say(update_line(ctx, update), buttons if last else (), image=update.photo_ref)
    if pending:
        say_packed(ctx, ["\n".join(pending)], buttons)


@router.action("follow")
async def follow(ctx: Context, args: list[str]) -> None:
    """Follow a proposal."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    await discussion.follow(ctx.session, ctx.participant, proposal)
    ctx.say(ctx._("You now follow #{id}. You will hear about every change.").format(id=proposal.id))


@router.action("unfollow")
async def unfollow(ctx: Context, args: list[str]) -> None:
    """Stop following a proposal."""
    proposal_id = int_arg(args)
    if proposal_id is None:
        stale_button(ctx)
        return
    await discussion.unfollow(ctx.session, ctx.participant, proposal_id)
    ctx.say(ctx._("You no longer follow #{id}.").format(id=proposal_id))


@router.command("follow")
async def following(ctx: Context, args: str) -> None:
    """The proposals the participant follows."""
    _ = ctx._
    followed = await discussion.followed(ctx.session, ctx.participant)
    if not followed:
        ctx.say(
            _("You do not follow any proposal yet. Open one under /browse and choose Follow."),
            [Button(_("Menu"), "menu")],
        )
        return
    lines = [_("You follow:")]
    lines += [f"#{p.id} {p.title} — {status_name(ctx, p)}" for p in followed]
    buttons = [Button(f"#{p.id} {short(p.title)}", router.payload("open", p.id)) for p in followed]
    ctx.say("\n".join(lines), [*buttons, Button(_("Menu"), "menu")])
