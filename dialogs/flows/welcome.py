"""First contact: welcome, language, privacy notice, choice of round; /help, /menu, /cancel."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.i18n import LANGUAGES, translator
from budgeting.models import Proposal
from budgeting.services.rounds import load_round, rounds_for
from budgeting.services.voting_codes import round_of_code
from dialogs.ballot_words import vote_command_help
from dialogs.context import Context
from dialogs.menu import COMMAND_HELP
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import int_arg, show_menu, stale_button

router = FlowRouter(Flow.WELCOME)
CODE_PREFIX = "code-"
"""A start payload ``code-<CODE>`` comes from the link on a voting-code letter."""


def language_question() -> str:
    """ "Which language do you prefer?" in every language, so anyone can answer it."""
    return "\n".join(
        translator(code).gettext("Which language do you prefer?") for code in LANGUAGES
    )


def language_buttons() -> list[Button]:
    """One button per language, each named in its own language."""
    return [Button(name, router.payload("language", code)) for code, name in LANGUAGES.items()]


@router.command("start")
async def start(ctx: Context, args: str) -> None:
    """Greet, remember a campaign, proposal or voting-code deep link, and ask for the language.

    Someone already taking part in a round is not asked for the language again (see
    :func:`start_again`). A letter's link ``code-<CODE>`` fills in its voting code.
    """
    if args.startswith("c_") and not ctx.participant.campaign:
        ctx.participant.campaign = args[2:66]
    deep_link = args[2:12] if args.startswith("p_") else ""
    if args.startswith(CODE_PREFIX):
        deep_link = args[: len(CODE_PREFIX) + 32]
    if ctx.participant.round_id is not None and ctx.round is not None:
        ctx.clear()
        await start_again(ctx, deep_link)
        return
    ctx.goto(Flow.WELCOME, None, **({"deep_link": deep_link} if deep_link else {}))
    _ = ctx._
    ctx.say(
        _(
            "Welcome to budgetbot! Here you can take part in your municipality's "
            "participatory budget: propose ideas, discuss them, vote and follow what happens."
        )
        + "\n\n"
        + language_question(),
        language_buttons(),
    )


async def start_again(ctx: Context, deep_link: str) -> None:
    """/start from someone in a round: a proposal link opens the proposal (moving them to
    its round if it is another one offered here), a letter's link enters its code; otherwise
    the round is chosen again."""
    if deep_link.startswith(CODE_PREFIX):
        await choose_round(ctx, deep_link)
        return
    if deep_link.isdigit():
        round_id = await ctx.session.scalar(
            select(Proposal.round_id).where(Proposal.id == int(deep_link))
        )
        if round_id not in (None, ctx.round.id) and round_id in {
            r.id for r in await rounds_for(ctx.session, ctx.audiences)
        }:
            await enter_round(ctx, round_id, deep_link)
            return
        from dialogs.flows.browse import show_proposal

        await show_proposal(ctx, int(deep_link))
        return
    await choose_round(ctx)


@router.command("language")
async def language(ctx: Context, args: str) -> None:
    """Offer the languages again."""
    ctx.say(language_question(), language_buttons())


@router.action("language", needs_round=False)
async def choose_language(ctx: Context, args: list[str]) -> None:
    """Store the chosen language; on first contact continue with privacy and the round."""
    code = args[0] if args else ""
    if code not in LANGUAGES:
        stale_button(ctx)
        return
    ctx.participant.locale = code
    _ = ctx._
    ctx.say(_("Language set to {language}.").format(language=LANGUAGES[code]))
    if ctx.in_step(Flow.WELCOME) or ctx.participant.round_id is None:
        deep_link = (ctx.state.data or {}).get("deep_link")
        ctx.clear()
        ctx.say(
            _(
                "Privacy: we store your chat id, your language, and what you submit here "
                "(ideas, comments, your ballot). Staff see ideas and comments, never who voted "
                "for what. /mydata shows everything stored about you and /forget erases it."
            )
        )
        await choose_round(ctx, deep_link)
    else:
        show_menu(ctx)


async def choose_round(ctx: Context, deep_link: str | None = None) -> None:
    """Attach the participant to the round of their channel, asking if there are several
    (a letter's voting code names its round)."""
    rounds = await rounds_for(ctx.session, ctx.audiences)
    if deep_link and deep_link.startswith(CODE_PREFIX):
        code = deep_link[len(CODE_PREFIX) :]
        round_id = await round_of_code(ctx.session, (r.id for r in rounds), code)
        rounds = [r for r in rounds if r.id == round_id] or rounds
    if len(rounds) == 1:
        await enter_round(ctx, rounds[0].id, deep_link)
    elif not rounds:
        ctx.round = None
        show_menu(ctx)
    else:
        ctx.say(
            ctx._("Which round do you want to take part in?"),
            [
                Button(
                    r.text("title", ctx.participant.locale or "sv"), router.payload("round", r.id)
                )
                for r in rounds
            ],
        )


async def enter_round(ctx: Context, round_id: int, deep_link: str | None = None) -> None:
    """Make ``round_id`` the participant's round and show the menu (or a deep-linked idea)."""
    round_ = await load_round(ctx.session, round_id)
    if round_ is None or round_.audience not in ctx.audiences:
        stale_button(ctx)
        return
    ctx.participant.round_id = round_.id
    ctx.round = round_
    intro = ctx._("You are taking part in: {title}.").format(
        title=round_.text("title", ctx.participant.locale or "sv")
    )
    if deep_link and deep_link.startswith(CODE_PREFIX):
        ctx.say(intro)
        from dialogs.flows.vote import vote_with_code

        await vote_with_code(ctx, deep_link[len(CODE_PREFIX) :])
        return
    show_menu(ctx, intro)
    if deep_link and deep_link.isdigit():
        from dialogs.flows.browse import show_proposal

        await show_proposal(ctx, int(deep_link))


@router.action("round", needs_round=False)
async def round_action(ctx: Context, args: list[str]) -> None:
    """The participant picked a round."""
    round_id = int_arg(args)
    if round_id is None:
        stale_button(ctx)
        return
    await enter_round(ctx, round_id)


@router.command("menu", "cancel")
async def menu(ctx: Context, args: str) -> None:
    """Leave whatever flow the participant is in and show the menu."""
    was_busy = (ctx.interrupted or ctx.state.flow) is not None
    ctx.clear()
    show_menu(ctx, ctx._("Cancelled.") if was_busy else None)


@router.command("help")
async def help_command(ctx: Context, args: str) -> None:
    """List every command."""
    _ = ctx._
    lines = [_("Commands:")] + [
        f"/{name} — {vote_command_help(ctx.t, ctx.round) if name == 'vote' else _(text)}"
        for name, text in COMMAND_HELP
    ]
    ctx.say("\n".join(lines), [Button(_("Menu"), "menu")])
