"""/mydata shows everything stored about the participant; /forget erases it."""

from __future__ import annotations

from budgeting.services.privacy import forget, personal_data
from dialogs.context import Context
from dialogs.flows import discussion
from dialogs.routing import FlowRouter
from dialogs.states import ConfirmStep, Flow
from dialogs.types import Button
from dialogs.wording import stale_button

router = FlowRouter(Flow.PRIVACY)


@router.command("mydata")
async def my_data(ctx: Context, args: str) -> None:
    """Everything stored about the participant, in plain words."""
    _ = ctx._
    data = await personal_data(ctx.session, ctx.participant)
    person = data["participant"]
    lines = [
        _("This is everything stored about you:"),
        _("Name: {name}").format(name=person["display_name"] or "—"),
        discussion.name_line(ctx),
        _("Language: {language}").format(language=person["language"] or "—"),
        _("Came via campaign: {campaign}").format(campaign=person["campaign"] or "—"),
        _("Reminders switched off: {kinds}").format(kinds=", ".join(person["opt_outs"]) or "—"),
        _("Quiet hours: {hours}").format(hours=person["quiet_hours"]),
        _("First contact: {date}").format(date=ctx.date(person["created_at"])),
        _("Accounts: {accounts}").format(
            accounts=", ".join(f"{channel} {ext}" for channel, ext in data["identities"])
        ),
        _("Ideas: {ideas}").format(
            ideas=", ".join(f"#{pid} {title}" for pid, title, _status in data["ideas"]) or "—"
        ),
        _("Comments: {n}").format(n=len(data["comments"])),
        *[f"  — #{pid}: {body}" for pid, body in data["comments"]],
        _("Comments you agree with: {n}").format(n=data["agreements"]),
        _("Ideas you support: {ids}").format(
            ids=", ".join(f"#{pid}" for pid in data["supports"]) or "—"
        ),
        _("Comments you reported: {n}").format(n=ctx.t.number(len(data["flags"]))),
        _("Following: {ids}").format(ids=", ".join(f"#{pid}" for pid in data["following"]) or "—"),
        _("Ballots: {ballots}").format(
            ballots="; ".join(
                f"{code}: " + ", ".join(ballot_entry(ctx, pid, points) for pid, points in ranks)
                for code, ranks in data["ballots"]
            )
            or "—"
        ),
        _("Survey answers: {n}").format(n=data["survey_answers"]),
        *(
            [
                _("Groups you said you belong to: {groups}").format(
                    groups=", ".join(area.name(ctx.t.locale) for area in data["groups"])
                )
            ]
            if data["groups"]
            else []
        ),
        "",
        _("To erase your personal data, type /forget."),
    ]
    ctx.say("\n".join(lines))


@router.command("forget")
async def forget_command(ctx: Context, args: str) -> None:
    """Ask before erasing."""
    _ = ctx._
    ctx.goto(Flow.FORGET, ConfirmStep.CONFIRM)
    ctx.say(
        _(
            "This erases your account, your public name and your settings. Your ideas and "
            'comments stay without your name (signed "deleted user"). '
            "A ballot in a vote that is still open is withdrawn (you can vote again later); "
            "once the vote has closed, your ballot stays counted anonymously. Erase now?"
        ),
        [Button(_("Yes, erase my data"), router.payload("erase")), Button(_("No"), "menu")],
    )


@router.action("erase")
async def forget_confirmed(ctx: Context, args: list[str]) -> None:
    """Erase the participant's personal data."""
    if not ctx.in_step(Flow.FORGET, ConfirmStep.CONFIRM):
        stale_button(ctx)
        return
    message = ctx._("Your personal data has been erased. Goodbye, and thank you for taking part.")
    await forget(ctx.session, ctx.participant, ctx.now)
    ctx.forgotten = True
    ctx.say(message)


def ballot_entry(ctx: Context, proposal_id: int, points: int | None) -> str:
    """``#12``, or ``#12 (3 points)`` on a cumulative ballot."""
    if points is None:
        return f"#{proposal_id}"
    return f"#{proposal_id} ({ctx.ngettext('{n} point', '{n} points', points).format(n=points)})"
