"""Wording a notification for one participant, in their language, with useful buttons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budgeting.i18n import Translator, translator
from budgeting.models import (
    Audience,
    Comment,
    Notification,
    NotificationKind,
    Participant,
    Proposal,
    Round,
)
from budgeting.phases import Phase, closes_at
from budgeting.services.comment_notices import COMMENT_KINDS, visible_comments
from dialogs.ballot_words import voting_opens
from dialogs.comment_words import comment_digest
from dialogs.flows import browse, flagging, results
from dialogs.flows import discussion as thread
from dialogs.staff_texts import staff_text
from dialogs.types import Button, Reply
from dialogs.wording import short


async def notification_replies(
    session: AsyncSession, notification: Notification, participant: Participant
) -> list[Reply]:
    """The message(s) this participant should get for ``notification``."""
    t = translator(participant.locale)
    _ = t.gettext
    kind = NotificationKind(notification.kind)
    params = dict(notification.payload.get("params") or {})
    round_ = await session.get(Round, notification.round_id) if notification.round_id else None
    proposal_id = params.get("proposal_id", notification.proposal_id)
    proposal = await session.get(Proposal, proposal_id) if proposal_id else None
    title = f"#{proposal.id} {proposal.title}" if proposal else ""
    zone = round_.timezone if round_ else "Europe/Stockholm"
    open_proposal = []
    if proposal is not None:
        open_proposal = [Button(_("Open the proposal"), browse.router.payload("open", proposal.id))]
    buttons: list[Button] = []
    if kind is NotificationKind.BROADCAST:
        text = staff_text(t, notification.payload.get("texts"))
    elif kind is NotificationKind.IDEAS_OPEN:
        text = _("Ideas are open! Propose how part of the budget should be spent: /propose")
        buttons = [Button(_("Propose an idea"), "propose")]
    elif kind is NotificationKind.VOTING_OPENS:
        text = (
            voting_opens(t, round_, t.datetime(closes_at(round_, Phase.VOTING), zone))
            if round_
            else ""
        )
        buttons = [Button(_("Vote"), "vote")]
    elif kind is NotificationKind.VOTING_CLOSES:
        text = _("Voting closes in 24 hours and you have not voted yet. It takes a minute.")
        buttons = [Button(_("Vote"), "vote")]
    elif kind is NotificationKind.REVIEW_OUTCOME:
        outcome = params.get("outcome")
        if outcome == "accepted":
            text = _("Good news: your idea {title} is on the ballot.").format(title=title)
        elif outcome == "merged":
            text = _("Your idea {title} was merged with a similar idea.").format(title=title)
        else:
            text = _("Your idea {title} was not accepted.").format(title=title)
        reason = staff_text(t, params.get("reasons"), params.get("reason"))
        if reason:
            text += "\n" + _("Reason from staff: {reason}").format(reason=reason)
        buttons = [Button(_("My ideas"), "ideas")]
    elif kind is NotificationKind.COMMENT_HIDDEN and params.get("flag_reason"):
        employees = round_ is not None and round_.audience == Audience.EMPLOYEES
        text = await hidden_by_flags(session, t, title, params, employees)
    elif kind is NotificationKind.COMMENT_HIDDEN:
        text = _("Your comment on {title} was hidden by a moderator.").format(title=title)
        if params.get("reason"):
            text += "\n" + _("Reason from staff: {reason}").format(reason=params["reason"])
    elif kind in COMMENT_KINDS:
        comments = await visible_comments(session, notification)
        text = comment_digest(t, round_, proposal, kind, comments) if comments and proposal else ""
        if proposal is not None:
            buttons = [
                Button(_("Open the discussion"), thread.router.payload("page", proposal.id, 1))
            ]
    elif kind is NotificationKind.FOLLOWED_CHANGED:
        change = params.get("change")
        if change == "accepted":
            text = _("{title}, which you follow, is on the ballot.").format(title=title)
        elif change == "cost" and proposal is not None:
            text = _("Staff have estimated the cost of {title}: {cost}.").format(
                title=title, cost=t.money(proposal.cost)
            )
        elif change == "edited":
            text = _("Staff have edited {title}, which you follow, for clarity.").format(
                title=title
            )
        else:
            text = _("News about {title}, which you follow.").format(title=title)
        buttons = open_proposal
    elif kind is NotificationKind.RESULTS:
        text = _("The result of the vote is published.")
        buttons = [Button(_("Results"), "results")]
        story = await results.voter_story(session, t, round_, participant) if round_ else None
        if story is not None:  # a voter: what became of each project on their ballot
            text += "\n\n" + story
            buttons += [
                Button(_("Your ballot"), results.router.payload("ballot")),
                Button(_("Check your ballot"), "verify"),
            ]
    elif kind is NotificationKind.DECISION:
        if params.get("decision") == "approved":
            text = _("The council approved {title}.").format(title=title)
        elif params.get("decision") == "declined":
            text = _("The council declined {title}.").format(title=title)
        else:
            text = _("The council has decided on {title}.").format(title=title)
        note = staff_text(t, params.get("notes"), params.get("note"))
        if note:
            text += "\n" + note
        buttons = [Button(_("Results"), "results"), *open_proposal]
    elif kind is NotificationKind.IMPLEMENTATION:
        text = _("Progress on {title}: {progress} per cent done.").format(
            title=title, progress=params.get("progress", proposal.progress if proposal else 0)
        )
        body = staff_text(t, params.get("texts"), params.get("text"))
        if body:
            text += "\n" + body
        buttons = open_proposal
    else:  # NotificationKind.SURVEY
        text = _(
            "The round is over. Thank you for taking part! Three quick questions help us do "
            "better next time."
        )
        buttons = [Button(_("Answer the survey"), "survey")]
    image = params.get("photo") if kind is NotificationKind.IMPLEMENTATION else None
    if not text:
        return []
    texts = results.packed([text])
    rows = tuple((b,) for b in buttons)
    return [
        Reply(
            text=part,
            buttons=rows if n == len(texts) else (),
            image=image if n == 1 else None,
            rtl=t.rtl,
        )
        for n, part in enumerate(texts, start=1)
    ]


async def hidden_by_flags(
    session: AsyncSession, t: Translator, title: str, params: dict, employees: bool
) -> str:
    """Why others' flags hid the writer's comment, and that a moderator will look."""
    flags = int(params.get("flags") or 0)
    label = flagging.REASON_LABELS.get(str(params["flag_reason"]), flagging.REASON_LABELS["other"])
    if employees:
        who = t.ngettext(
            "Your comment on {title} is hidden for now: {n} colleague reported it.",
            "Your comment on {title} is hidden for now: {n} colleagues reported it.",
            flags,
        )
    else:
        who = t.ngettext(
            "Your comment on {title} is hidden for now: {n} resident reported it.",
            "Your comment on {title} is hidden for now: {n} residents reported it.",
            flags,
        )
    lines = [
        who.format(title=title, n=t.number(flags)),
        t.gettext("The reason given most: {reason}.").format(reason=t.gettext(label)),
    ]
    comment = await session.get(Comment, params.get("comment_id") or 0)
    if comment is not None:
        lines.append(t.gettext("Your comment: «{text}»").format(text=short(comment.body, 120)))
    lines.append(
        t.gettext(
            "A moderator will look at it and show it again if it follows the rules of the "
            "discussion."
        )
    )
    return "\n".join(lines)
