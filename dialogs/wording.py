"""Shared wording: phase names, rule violations, stale buttons, the main menu."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from budgeting.i18n import _ as N_
from budgeting.models import Proposal
from budgeting.phases import Phase, closes_at, opens_at
from budgeting.services import proposals
from budgeting.services.errors import RuleViolation
from dialogs.context import Context
from dialogs.types import Button

PHASE_NAMES = {
    Phase.UPCOMING: N_("not started yet"),
    Phase.IDEAS: N_("ideas"),
    Phase.REVIEW: N_("review of the ideas"),
    Phase.VOTING: N_("voting"),
    Phase.DECISION: N_("political decision"),
    Phase.IMPLEMENTATION: N_("implementation"),
    Phase.FOLLOWUP: N_("follow-up"),
    Phase.CLOSED: N_("closed"),
}

VIOLATIONS = {
    "title_too_short": N_("The title needs at least {minimum} characters. Please try again."),
    "title_too_long": N_(
        "The title is {length} characters long; the limit is {limit}. Please shorten it."
    ),
    "description_too_short": N_("Please describe your idea in at least {minimum} characters."),
    "description_too_long": N_(
        "The description is {length} characters long; the limit is {limit}. Please shorten it."
    ),
    "cost_not_a_number": N_(
        "Please write the cost as a whole number of kronor, for example 50000."
    ),
    "cost_too_high": N_("That is more than the whole budget of the area ({limit}). Please adjust."),
    "ideas_closed": N_(
        "Ideas cannot be submitted or changed now; the round is in the {phase} phase."
    ),
    "voting_closed": N_("Voting is not open now; the round is in the {phase} phase."),
    "not_your_idea": N_("That idea is not one of yours."),
    "idea_locked": N_("That idea is already being reviewed and can no longer be changed."),
    "unknown_area": N_("That area does not exist in this round."),
    "duplicate_rank": N_("You have already ranked that project."),
    "duplicate_choice": N_("You have already chosen that project."),
    "points_empty": N_("Give points to at least one project."),
    "not_on_ballot": N_("That project is not on the ballot of your area."),
    "proposal_unavailable": N_("That proposal is not available."),
    "comment_empty": N_("The comment is empty."),
    "voting_code_unknown": N_("That voting code is not valid. Check the code on your letter."),
    "voting_code_used": N_("That voting code has already been used."),
    "voting_code_revoked": N_(
        "That voting code has been revoked by the staff and can no longer be used. "
        "If you need a new one, contact the municipality."
    ),
    "voting_code_other_area": N_("Your voting code is for another area."),
    "voting_code_required": N_("This round needs the voting code from your letter first."),
    "too_many_attempts": N_("Too many wrong codes. Please wait an hour and try again."),
    "not_your_group": N_("You vote in the group you chose earlier; this is another group."),
    "group_declared": N_("You have already said which group you belong to; it stays the same."),
    "not_split_by_group": N_("This round is not split into groups."),
    "comment_too_long": N_(
        "The comment is {length} characters long; the limit is {limit}. Please shorten it."
    ),
    # the discussion
    "comment_unavailable": N_("That comment is not available."),
    "discussion_closed": N_("The discussion is closed."),
    "agree_own": N_("That is your own comment; others can agree with it."),
    "support_closed": N_(
        "Ideas can be supported only while ideas are collected; the round is in the {phase} phase."
    ),
    "support_own": N_("That is your own idea; others can support it."),
    "public_name_length": N_("The name needs {minimum} to {maximum} characters. Please try again."),
    "public_name_characters": N_(
        "The name has characters that cannot be shown, such as line breaks. Please try again."
    ),
    "public_name_reserved": N_(
        "That name looks like a pseudonym, the organisation or a deleted user. Choose another."
    ),
    "public_name_taken": N_("Someone else already signs with that name. Choose another."),
}


PLURAL_VIOLATIONS: dict[str, Callable[[Context, Mapping[str, Any]], str]] = {
    "rank_count": lambda ctx, p: ctx.ngettext(
        "Please rank from {minimum} to {maximum} project.",
        "Please rank from {minimum} to {maximum} projects.",
        p["maximum"],
    ),
    "choice_count": lambda ctx, p: ctx.ngettext(
        "Please choose from {minimum} to {maximum} project.",
        "Please choose from {minimum} to {maximum} projects.",
        p["maximum"],
    ),
    "points_per_project": lambda ctx, p: ctx.ngettext(
        "A project can get at most {maximum} point.",
        "A project can get from 1 to {maximum} points.",
        p["maximum"],
    ),
    "points_total": lambda ctx, p: ctx.ngettext(
        "You have {maximum} point to spread in all.",
        "You have {maximum} points to spread in all.",
        p["maximum"],
    ),
}
"""Violations that show a number, worded with the plural form it needs."""

NOT_POSSIBLE = N_("That is not possible right now.")


def violation_text(ctx: Context, error: RuleViolation) -> str:
    """The participant-language message for a broken rule."""
    params = dict(error.params)
    if error.code == "cost_too_high":
        params["limit"] = ctx.t.money(params["limit"])
    if ctx.round is not None:
        params.setdefault("phase", ctx._(PHASE_NAMES[ctx.phase]))
    if (plural := PLURAL_VIOLATIONS.get(error.code)) is not None:
        return plural(ctx, params).format(**params)
    return ctx._(VIOLATIONS.get(error.code, NOT_POSSIBLE)).format(**params)


def phase_window(ctx: Context, phase: Phase) -> str:
    """``from … to …`` for a scheduled phase of the participant's round."""
    assert ctx.round is not None
    return ctx._("from {start} to {end}").format(
        start=ctx.date(opens_at(ctx.round, phase)), end=ctx.date(closes_at(ctx.round, phase))
    )


def phase_open(ctx: Context, phase: Phase, closed: str) -> bool:
    """True if the round is in ``phase``; else says ``closed`` (with ``{window}``) and the menu."""
    if ctx.round is None:
        show_menu(ctx)
        return False
    if ctx.phase is not phase:
        ctx.say(closed.format(window=phase_window(ctx, phase)))
        show_menu(ctx)
        return False
    return True


def stale_button(ctx: Context) -> None:
    """Answer a button that no longer fits the conversation."""
    ctx.say(ctx._("That button is no longer active. Here is the menu."), menu_buttons(ctx))


def menu_buttons(ctx: Context) -> list[Button]:
    """The main menu, shaped by the round's current phase."""
    _ = ctx._
    if ctx.round is None:
        return [Button(_("Language"), "language"), Button(_("Help"), "help")]
    phase = ctx.phase
    buttons: list[Button] = []
    if phase is Phase.IDEAS:
        buttons.append(Button(_("Propose an idea"), "propose"))
    if phase is Phase.VOTING:
        buttons.append(Button(_("Vote"), "vote"))
    if phase in (Phase.DECISION, Phase.IMPLEMENTATION, Phase.FOLLOWUP, Phase.CLOSED):
        buttons.append(Button(_("Results"), "results"))
    if phase in (Phase.FOLLOWUP, Phase.CLOSED):
        buttons.append(Button(_("Survey"), "survey"))
    if phase not in (Phase.UPCOMING, Phase.IDEAS, Phase.REVIEW):
        buttons.append(Button(_("Check your ballot"), "verify"))
    if phase is not Phase.UPCOMING:
        label = _("Browse ideas") if phase in (Phase.IDEAS, Phase.REVIEW) else _("Proposals")
        buttons.append(Button(label, "browse"))
        buttons.append(Button(_("My ideas"), "ideas"))
    about = Button(_("About the round"), "about:section")  # keeps the flow it is pressed in
    buttons += [about, Button(_("Settings"), "settings")]
    return buttons


def show_menu(ctx: Context, intro: str | None = None) -> None:
    """Show the main menu with a line on where the round is now."""
    _ = ctx._
    if ctx.round is None:
        ctx.say(intro or _("There is no round open to you right now."), menu_buttons(ctx))
        return
    where = _("The round is now in the {phase} phase.").format(phase=_(PHASE_NAMES[ctx.phase]))
    text = f"{intro}\n\n{where}" if intro else where
    question = _("What would you like to do?")
    ctx.say(f"{text}\n{question}", menu_buttons(ctx))


def short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def int_arg(args: list[str], index: int = 0) -> int | None:
    """The integer argument at ``index`` of a payload, or None if missing or forged."""
    try:
        value = int(args[index])
    except (IndexError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


async def visible_from(ctx: Context, args: list[str]) -> Proposal | None:
    """The proposal a payload names, if residents may see it; else answers and gives None."""
    proposal_id = int_arg(args)
    if proposal_id is None or ctx.round is None:
        stale_button(ctx)
        return None
    return await proposals.visible_proposal(ctx.session, ctx.round, proposal_id)


async def own_from(ctx: Context, args: list[str]) -> Proposal | None:
    """The participant's own proposal a payload names; else answers and gives None."""
    proposal_id = int_arg(args)
    if proposal_id is None or ctx.round is None:
        stale_button(ctx)
        return None
    return await proposals.own_proposal(ctx.session, ctx.round, ctx.participant, proposal_id)
