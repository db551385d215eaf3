"""The discussion of a proposal: comments page by page, replies, agreement, supports, and
the name a participant signs with."""

from __future__ import annotations

from budgeting.models import Comment, Proposal
from budgeting.phases import Phase
from budgeting.services import discussion, proposals
from budgeting.services.discussion import CommentView, Writer, WriterKind
from dialogs.context import Context
from dialogs.flows import flagging
from dialogs.flows.results import say_packed
from dialogs.routing import FlowRouter
from dialogs.states import CommentStep, Flow
from dialogs.types import Button
from dialogs.wording import int_arg, short, stale_button, visible_from

router = FlowRouter(Flow.DISCUSSION)
QUOTE_LENGTH = 40


def proposal_payload(proposal_id: int) -> str:
    """The payload that opens a proposal (the browse flow's, which imports this one)."""
    return f"{Flow.BROWSE}:open:{proposal_id}"


def back_to(ctx: Context, proposal_id: int) -> Button:
    return Button(ctx._("Back to #{id}").format(id=proposal_id), proposal_payload(proposal_id))


def signature(ctx: Context, writer: Writer) -> str:
    """The writer's name as this reader sees it."""
    _ = ctx._
    if writer.kind is WriterKind.STAFF:
        return "🏛 " + (writer.name or _("the organisers"))
    if writer.kind is WriterKind.DELETED:
        return _(discussion.DELETED_WRITER)
    if writer.kind is WriterKind.NAMED:
        return writer.name or ""
    pseudonym = discussion.EMPLOYEE_PSEUDONYM if writer.employees else discussion.RESIDENT_PSEUDONYM
    return _(pseudonym).format(number=writer.number)


def quote(comment: Comment) -> str:
    """The first words of a comment, in «quotes»."""
    return f"«{short(' '.join(comment.body.split()), QUOTE_LENGTH)}»"


# --- on the proposal view ------------------------------------------------------------------


async def proposal_lines(ctx: Context, proposal: Proposal) -> list[str]:
    """The supporters of an idea, for its card (in the ideas phase, or once it has any)."""
    count = (await discussion.support_counts(ctx.session, [proposal.id])).get(proposal.id, 0)
    if not count and ctx.phase is not Phase.IDEAS:
        return []
    return [
        ctx.ngettext(
            "{n} person supports this idea.", "{n} people support this idea.", count
        ).format(n=ctx.t.number(count))
    ]


async def proposal_buttons(ctx: Context, proposal: Proposal) -> list[Button]:
    """Read and write comments, and support the idea while ideas are collected."""
    _ = ctx._
    buttons = [
        Button(_("Read comments"), router.payload("page", proposal.id, 1)),
        Button(_("Write a comment"), router.payload("write", proposal.id)),
    ]
    if ctx.phase is Phase.IDEAS and proposal.author_id != ctx.participant.id:
        supported = await discussion.supports(ctx.session, ctx.participant, proposal.id)
        label = _("You support this idea ✓") if supported else _("👍 Support this idea")
        buttons.append(Button(label, router.payload("support", proposal.id)))
    return buttons


# --- reading -------------------------------------------------------------------------------


@router.action("page")
async def page_action(ctx: Context, args: list[str]) -> None:
    """A page of the comments, newest first."""
    proposal = await visible_from(ctx, args)
    page = int_arg(args, 1)
    if proposal is None:
        return
    if page is None:
        stale_button(ctx)
        return
    await show_page(ctx, proposal, page)


async def show_page(ctx: Context, proposal: Proposal, page: int = 1) -> None:
    """The comments of page ``page`` with a reply and an agree button each."""
    assert ctx.round is not None
    _ = ctx._
    found = await discussion.comment_page(ctx.session, ctx.round, proposal, ctx.participant, page)
    nav: list[Button] = []
    if found.page < found.pages:
        nav.append(Button(_("◀ Older"), router.payload("page", proposal.id, found.page + 1)))
    if found.page > 1:
        nav.append(Button(_("Newer ▶"), router.payload("page", proposal.id, found.page - 1)))
    tail = [
        Button(_("Write a comment"), router.payload("write", proposal.id)),
        back_to(ctx, proposal.id),
    ]
    if not found.comments:
        ctx.say(_("No comments yet. Be the first!"), tail)
        return
    count = ctx.ngettext("{n} comment", "{n} comments", found.total).format(
        n=ctx.t.number(found.total)
    )
    pages = ctx.ngettext("page {page} of {pages}", "page {page} of {pages}", found.pages).format(
        page=ctx.t.number(found.page), pages=ctx.t.number(found.pages)
    )
    heading = _("Comments on #{id} {title} — {count}, newest first; {pages}:").format(
        id=proposal.id, title=proposal.title, count=count, pages=pages
    )
    blocks = [heading]
    rows: list[list[Button]] = []
    first = (found.page - 1) * discussion.PAGE_SIZE
    for n, view in enumerate(found.comments, start=first + 1):
        blocks.append(comment_block(ctx, n, view))
        agree_label = _("👍 Take back {n}") if view.agreed else _("👍 Agree with {n}")
        rows.append(
            [
                Button(_("↪ Reply to {n}").format(n=n), router.payload("reply", view.comment.id)),
                Button(
                    agree_label.format(n=n),
                    router.payload("agree", view.comment.id, found.page),
                ),
            ]
        )
    tail.insert(1, flagging.report_button(ctx, proposal.id))
    say_packed(ctx, blocks, [*rows, nav, *tail] if nav else [*rows, *tail])


def comment_block(ctx: Context, n: int, view: CommentView) -> str:
    """``3. Invånare 4821 · i går 14:05`` with the quote it answers, the text and its 👍."""
    assert ctx.round is not None
    when = ctx.t.moment(view.comment.created_at, ctx.now, ctx.round.timezone)
    lines = [f"{n}. {signature(ctx, view.writer)} · {when}"]
    if view.answers is not None and view.answers_writer is not None:
        lines.append(
            ctx._("↪ reply to {name}: {quote}").format(
                name=signature(ctx, view.answers_writer), quote=quote(view.answers)
            )
        )
    lines.append(view.comment.body)
    if view.agreements:
        lines.append(
            ctx.ngettext("👍 {n} agrees", "👍 {n} agree", view.agreements).format(
                n=ctx.t.number(view.agreements)
            )
        )
    return "\n".join(lines)


# --- writing -------------------------------------------------------------------------------


@router.action("write")
async def write_comment(ctx: Context, args: list[str]) -> None:
    """Ask for the comment text."""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    if ctx.phase is Phase.CLOSED:
        ctx.say(_("The discussion is closed."), [back_to(ctx, proposal.id)])
        return
    ctx.goto(Flow.COMMENT, CommentStep.TEXT, proposal_id=proposal.id)
    ctx.say(
        _("Write your comment on #{id} {title}. Be kind: everyone can read it.").format(
            id=proposal.id, title=proposal.title
        ),
        [Button(_("Cancel"), router.payload("cancel", proposal.id))],
    )


@router.action("reply")
async def reply_to_comment(ctx: Context, args: list[str]) -> None:
    """Ask for the text of a reply to a comment."""
    comment_id = int_arg(args)
    if comment_id is None or ctx.round is None:
        stale_button(ctx)
        return
    _ = ctx._
    comment = await discussion.visible_comment(ctx.session, ctx.round, comment_id)
    proposal = await proposals.visible_proposal(ctx.session, ctx.round, comment.proposal_id)
    if ctx.phase is Phase.CLOSED:
        ctx.say(_("The discussion is closed."), [back_to(ctx, proposal.id)])
        return
    answered = await discussion.answered_in_thread(ctx.session, comment)
    writer = await discussion.comment_writer(ctx.session, ctx.round, answered)
    ctx.goto(Flow.COMMENT, CommentStep.TEXT, proposal_id=proposal.id, reply_to=comment.id)
    ctx.say(
        _("Write your reply to {name}: {quote}").format(
            name=signature(ctx, writer), quote=quote(answered)
        ),
        [Button(_("Cancel"), router.payload("cancel", proposal.id))],
    )


@router.step(CommentStep.TEXT, flow=Flow.COMMENT)
async def comment_text(ctx: Context, text: str) -> None:
    """Check the text; ask for a signature the first time, else publish."""
    body = discussion.check_body(text)
    ctx.update(text=body)
    await publish_or_ask_name(ctx)


@router.text_under("write")
async def text_under_proposal(ctx: Context, text: str, args: list[str]) -> None:
    """Text typed while a proposal (or its comments) is shown: post it as a comment?"""
    proposal = await visible_from(ctx, args)
    if proposal is None:
        return
    _ = ctx._
    body = discussion.check_body(text)
    if ctx.phase is Phase.CLOSED:
        ctx.say(_("The discussion is closed."), [back_to(ctx, proposal.id)])
        return
    ctx.goto(Flow.COMMENT, CommentStep.OFFER, proposal_id=proposal.id, text=body)
    ctx.say(
        _("Post this as a comment on #{id} {title}?").format(id=proposal.id, title=proposal.title)
        + f"\n\n{short(body, 300)}",
        [
            Button(_("Yes, post it"), router.payload("post")),
            Button(_("No"), router.payload("cancel", proposal.id)),
        ],
    )


@router.action("post")
async def post_offered(ctx: Context, args: list[str]) -> None:
    """The participant wants the text they typed posted."""
    if not ctx.in_step(Flow.COMMENT, CommentStep.OFFER):
        stale_button(ctx)
        return
    await publish_or_ask_name(ctx)


async def publish_or_ask_name(ctx: Context) -> None:
    """Publish the comment in the state, after asking for a signature if it is the first."""
    _ = ctx._
    if ctx.participant.public_name is None and not await discussion.has_commented(
        ctx.session, ctx.participant
    ):
        ctx.update(CommentStep.SIGNATURE)
        pseudonym = signature(ctx, discussion.participant_writer(ctx.round, ctx.participant))
        ctx.say(
            _(
                "Everyone can read who wrote a comment. Sign with the name {pseudonym}, "
                "or choose a name of your own? The name your app shows is never used."
            ).format(pseudonym=pseudonym),
            [
                Button(
                    _("Sign as {name}").format(name=pseudonym), router.payload("sign", "pseudonym")
                ),
                Button(_("Choose my own name"), router.payload("sign", "own")),
                Button(_("Cancel"), router.payload("cancel", ctx.state.data["proposal_id"])),
            ],
        )
        return
    await publish(ctx)


@router.action("sign")
async def sign(ctx: Context, args: list[str]) -> None:
    """The first signature: the pseudonym, or a name to type."""
    choice = args[0] if args else ""
    if not ctx.in_step(Flow.COMMENT, CommentStep.SIGNATURE) or choice not in ("pseudonym", "own"):
        stale_button(ctx)
        return
    if choice == "pseudonym":
        await publish(ctx)
        return
    ctx.update(CommentStep.NAME)
    ask_name(ctx, router.payload("cancel", ctx.state.data["proposal_id"]))


def ask_name(ctx: Context, cancel: str) -> None:
    ctx.say(
        ctx._(
            "Write the name to sign your comments with ({minimum}–{maximum} characters). "
            "Everyone can read it."
        ).format(minimum=2, maximum=40),
        [Button(ctx._("Cancel"), cancel)],
    )


@router.step(CommentStep.NAME, flow=Flow.COMMENT)
async def first_name(ctx: Context, text: str) -> None:
    """A name of one's own, chosen at the first comment; then the comment is published."""
    await discussion.set_public_name(ctx.session, ctx.participant, text, ctx.round)
    await publish(ctx)


async def publish(ctx: Context) -> None:
    """Store the comment (or reply) kept in the state, then show the newest comments."""
    assert ctx.round is not None
    data = ctx.state.data
    proposal = await proposals.visible_proposal(ctx.session, ctx.round, data["proposal_id"])
    reply_to = None
    if data.get("reply_to"):
        reply_to = await discussion.visible_comment(ctx.session, ctx.round, data["reply_to"])
    if ctx.phase is Phase.CLOSED:
        ctx.clear()
        ctx.say(ctx._("The discussion is closed."), [back_to(ctx, proposal.id)])
        return
    await discussion.add_comment(
        ctx.session, proposal, ctx.participant, data["text"], reply_to=reply_to, now=ctx.now
    )
    ctx.clear()
    if reply_to is None:
        ctx.say(ctx._("Thank you, your comment is published."))
    else:
        ctx.say(ctx._("Thank you, your reply is published."))
    await show_page(ctx, proposal, 1)


@router.action("cancel")
async def cancel(ctx: Context, args: list[str]) -> None:
    """Leave writing; nothing is posted."""
    proposal_id = int_arg(args)
    if proposal_id is None:
        stale_button(ctx)
        return
    if ctx.state.flow == Flow.COMMENT:
        ctx.clear()
    ctx.say(ctx._("Nothing was posted."), [back_to(ctx, proposal_id)])


# --- agreeing and supporting -----------------------------------------------------------


@router.action("agree")
async def agree(ctx: Context, args: list[str]) -> None:
    """Agree with a comment (👍), or take the agreement back."""
    comment_id = int_arg(args)
    if comment_id is None or ctx.round is None:
        stale_button(ctx)
        return
    _ = ctx._
    comment = await discussion.visible_comment(ctx.session, ctx.round, comment_id)
    proposal = await proposals.visible_proposal(ctx.session, ctx.round, comment.proposal_id)
    agrees = await discussion.agree(ctx.session, ctx.round, ctx.participant, comment, ctx.now)
    writer = signature(ctx, await discussion.comment_writer(ctx.session, ctx.round, comment))
    count = (await discussion.agreement_counts(ctx.session, [comment.id])).get(comment.id, 0)
    if agrees:
        text = _("👍 You agree with {name}: {quote}").format(name=writer, quote=quote(comment))
    else:
        text = _("You no longer agree with {name}: {quote}").format(
            name=writer, quote=quote(comment)
        )
    agreeing = ctx.ngettext("{n} person agrees.", "{n} people agree.", count).format(
        n=ctx.t.number(count)
    )
    page = int_arg(args, 1) or 1
    ctx.say(
        f"{text}\n{agreeing}",
        [
            Button(_("Back to the comments"), router.payload("page", proposal.id, page)),
            back_to(ctx, proposal.id),
        ],
    )


@router.action("support")
async def support(ctx: Context, args: list[str]) -> None:
    """Support an idea while ideas are collected (not part of the vote)."""
    proposal = await visible_from(ctx, args)
    if proposal is None or ctx.round is None:
        return
    _ = ctx._
    new = await discussion.support(ctx.session, ctx.round, ctx.participant, proposal, ctx.now)
    count = (await discussion.support_counts(ctx.session, [proposal.id])).get(proposal.id, 0)
    if new:
        text = _("Thank you: you support #{id} {title}. It is not a vote; voting comes later.")
    else:
        text = _("You already support #{id} {title}.")
    people = ctx.ngettext("{n} person supports this idea.", "{n} people support this idea.", count)
    ctx.say(
        text.format(id=proposal.id, title=proposal.title)
        + "\n"
        + people.format(n=ctx.t.number(count)),
        [back_to(ctx, proposal.id)],
    )


# --- the name to sign with (/settings) ---------------------------------------------------


def name_line(ctx: Context) -> str:
    """``Public name: Invånare 4821 (pseudonym)`` for /settings and /mydata."""
    writer = discussion.participant_writer(ctx.round, ctx.participant)
    name = signature(ctx, writer)
    if writer.kind is WriterKind.PSEUDONYM:
        name = ctx._("{name} (pseudonym)").format(name=name)
    return ctx._("Public name: {name}").format(name=name)


def name_button(ctx: Context) -> Button:
    """The /settings button that changes the name."""
    return Button(ctx._("Public name"), router.payload("name"))


@router.action("name", needs_round=False)
async def public_name(ctx: Context, args: list[str]) -> None:
    """The name comments are signed with, and how to change it."""
    _ = ctx._
    pseudonym = signature(ctx, discussion.pseudonym_writer(ctx.round, ctx.participant))
    ctx.say(
        name_line(ctx) + "\n" + _("Your comments are signed with it, earlier ones too."),
        [
            Button(
                _("Sign as {name}").format(name=pseudonym), router.payload("rename", "pseudonym")
            ),
            Button(_("Choose my own name"), router.payload("rename", "own")),
            Button(_("Settings"), "settings"),
        ],
    )


@router.action("rename", needs_round=False)
async def rename(ctx: Context, args: list[str]) -> None:
    """Sign with the pseudonym again, or type a new name."""
    choice = args[0] if args else ""
    if choice == "pseudonym":
        await discussion.set_public_name(ctx.session, ctx.participant, None, ctx.round)
        ctx.say(name_line(ctx), [Button(ctx._("Settings"), "settings")])
    elif choice == "own":
        ctx.goto(Flow.PUBLIC_NAME, CommentStep.NAME)
        ask_name(ctx, "settings")
    else:
        stale_button(ctx)


@router.step(CommentStep.NAME, flow=Flow.PUBLIC_NAME)
async def new_name(ctx: Context, text: str) -> None:
    """A new name of one's own, from /settings."""
    await discussion.set_public_name(ctx.session, ctx.participant, text, ctx.round)
    ctx.clear()
    ctx.say(name_line(ctx), [Button(ctx._("Settings"), "settings")])
