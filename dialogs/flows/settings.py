"""Settings: language, the name comments are signed with, and which reminders one wants."""

from __future__ import annotations

from budgeting.i18n import LANGUAGES
from budgeting.i18n import _ as N_
from budgeting.models import NotificationKind
from dialogs.context import Context
from dialogs.flows import discussion
from dialogs.routing import FlowRouter
from dialogs.states import Flow
from dialogs.types import Button
from dialogs.wording import stale_button

OPTIONAL_KINDS = {
    NotificationKind.IDEAS_OPEN: N_("ideas open"),
    NotificationKind.VOTING_OPENS: N_("voting opens"),
    NotificationKind.VOTING_CLOSES: N_("voting closes soon"),
    NotificationKind.FOLLOWED_CHANGED: N_("news on proposals I follow"),
    NotificationKind.COMMENTS_ON_MINE: N_("comments on my ideas"),
    NotificationKind.REPLIES: N_("answers to my comments"),
    NotificationKind.COMMENTS_FOLLOWED: N_("comments on proposals I follow"),
    NotificationKind.RESULTS: N_("results"),
    NotificationKind.IMPLEMENTATION: N_("implementation updates"),
    NotificationKind.SURVEY: N_("survey"),
    NotificationKind.BROADCAST: N_("news from the municipality"),
}
router = FlowRouter(Flow.SETTINGS)


@router.command("settings")
async def settings(ctx: Context, args: str) -> None:
    """Show the language and one on/off button per kind of reminder."""
    _ = ctx._
    opted_out = set(ctx.participant.opt_outs or [])
    lines = [
        _("Language: {language}").format(language=LANGUAGES[ctx.t.locale]),
        discussion.name_line(ctx),
        _("Messages you get (choose one to switch it on or off):"),
    ]
    buttons = [Button(_("Language"), "language"), discussion.name_button(ctx)]
    for kind, name in OPTIONAL_KINDS.items():
        on = kind.value not in opted_out
        lines.append(f"{'🔔' if on else '🔕'} {_(name)}")
        buttons.append(
            Button(f"{'🔔' if on else '🔕'} {_(name)}", router.payload("toggle", kind.value))
        )
    buttons.append(Button(_("Menu"), "menu"))
    ctx.say("\n".join(lines), buttons)


@router.action("toggle")
async def toggle(ctx: Context, args: list[str]) -> None:
    """Switch one kind of message on or off."""
    kind = args[0] if args else ""
    if kind not in {k.value for k in OPTIONAL_KINDS}:
        stale_button(ctx)
        return
    opted_out = set(ctx.participant.opt_outs or [])
    opted_out ^= {kind}
    ctx.participant.opt_outs = sorted(opted_out)
    await settings(ctx, "")
