"""The end-of-round survey: Säter's three aims, 1–5 each, plus optional free text."""

from __future__ import annotations

from sqlalchemy import select

from budgeting.i18n import _ as N_
from budgeting.models import SurveyAnswer
from budgeting.phases import Phase
from dialogs.context import Context
from dialogs.routing import FlowRouter
from dialogs.states import Flow, SurveyStep
from dialogs.types import Button
from dialogs.wording import show_menu, stale_button

QUESTIONS = (
    ("understood", N_("I understood how the decisions in the round were made.")),
    ("discussion", N_("My views had room in a discussion with other residents.")),
    ("together", N_("I feel that I decided together with others.")),
)
OPEN_PHASES = (Phase.FOLLOWUP, Phase.CLOSED)
router = FlowRouter(Flow.SURVEY)


def scale_buttons(ctx: Context) -> list[list[Button]]:
    """1 (not at all) … 5 (completely), in one row."""
    _ = ctx._
    return [
        [Button(str(n), router.payload("answer", n)) for n in range(1, 6)],
        [Button(_("Cancel"), "menu")],
    ]


def ask(ctx: Context, index: int) -> None:
    """Ask question ``index`` (0-based)."""
    _ = ctx._
    text = _("Question {n} of {total}: {question}").format(
        n=index + 1, total=len(QUESTIONS), question=_(QUESTIONS[index][1])
    )
    scale = _("Answer from 1 (do not agree at all) to 5 (agree completely).")
    ctx.say(f"{text}\n{scale}", scale_buttons(ctx))


@router.command("survey")
async def survey(ctx: Context, args: str) -> None:
    """Start the survey, once the round has reached follow-up."""
    if ctx.round is None:
        show_menu(ctx)
        return
    if ctx.phase not in OPEN_PHASES:
        ctx.say(ctx._("The survey opens when the round reaches follow-up."))
        show_menu(ctx)
        return
    ctx.goto(Flow.SURVEY, SurveyStep.SCALE, index=0, answers={})
    ask(ctx, 0)


@router.action("answer")
async def answer(ctx: Context, args: list[str]) -> None:
    """Store one 1–5 answer and go on."""
    value = args[0] if args else ""
    if not ctx.in_step(Flow.SURVEY, SurveyStep.SCALE) or value not in {"1", "2", "3", "4", "5"}:
        stale_button(ctx)
        return
    index = int(ctx.state.data.get("index", 0))
    answers = {**ctx.state.data.get("answers", {}), QUESTIONS[index][0]: int(value)}
    if index + 1 < len(QUESTIONS):
        ctx.update(index=index + 1, answers=answers)
        ask(ctx, index + 1)
        return
    ctx.update(SurveyStep.COMMENT, answers=answers)
    ctx.say(
        ctx._("Anything else you want to tell us? Write it, or choose Skip."),
        [Button(ctx._("Skip"), router.payload("skip"))],
    )


@router.step(SurveyStep.SCALE)
async def typed_scale(ctx: Context, text: str) -> None:
    """A typed 1–5 works like the button."""
    if text.strip() not in {"1", "2", "3", "4", "5"}:
        ctx.say(ctx._("Please answer with a number from 1 to 5."), scale_buttons(ctx))
        return
    await answer(ctx, [text.strip()])


@router.step(SurveyStep.COMMENT)
async def comment(ctx: Context, text: str) -> None:
    """Store the survey with the free text."""
    await save(ctx, text.strip()[:2000] or None)


@router.action("skip")
async def skip(ctx: Context, args: list[str]) -> None:
    """Store the survey without free text."""
    if not ctx.in_step(Flow.SURVEY, SurveyStep.COMMENT):
        stale_button(ctx)
        return
    await save(ctx, None)


async def save(ctx: Context, text: str | None) -> None:
    """One answer per participant and round; answering again replaces it."""
    assert ctx.round is not None
    answers = ctx.state.data.get("answers", {})
    existing = (
        await ctx.session.scalars(
            select(SurveyAnswer).where(
                SurveyAnswer.round_id == ctx.round.id,
                SurveyAnswer.participant_id == ctx.participant.id,
            )
        )
    ).first()
    row = existing or SurveyAnswer(round_id=ctx.round.id, participant_id=ctx.participant.id)
    row.understood = answers.get("understood")
    row.discussion = answers.get("discussion")
    row.together = answers.get("together")
    row.comment = text
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.clear()
    show_menu(ctx, ctx._("Thank you! Your answers help the municipality do better next time."))
