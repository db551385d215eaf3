"""The dialog engine: one Incoming in, one transaction, a list of Replies out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from weakref import WeakValueDictionary

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.db import upsert
from budgeting.i18n import normalize
from budgeting.models import ProcessedUpdate, utcnow
from budgeting.services.errors import RuleViolation
from budgeting.services.participants import conversation_state, find_or_create
from budgeting.services.rounds import load_round
from dialogs import flows  # noqa: F401  (registers every flow)
from dialogs.context import Context
from dialogs.router import ACTIONS, COMMANDS, STEPS
from dialogs.texts import menu_buttons, stale_button, violation_text
from dialogs.types import Incoming, Reply

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 10_000
DEFAULT_AUDIENCES: Mapping[str, tuple[str, ...]] = {
    "console": ("residents",),
    "telegram": ("residents",),
    "teams": ("employees",),
}


class DialogEngine:
    """Feeds Incoming events to the flows, in order per participant, one transaction each."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        audiences: Mapping[str, tuple[str, ...]] = DEFAULT_AUDIENCES,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.audiences = audiences
        self.clock = clock
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()
        """One lock per participant while anyone uses it (forgotten when nobody does)."""

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one event; the effects are committed before the replies are returned."""
        key = (incoming.channel, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            async with self.sessions() as session, session.begin():
                if incoming.update_key is not None and not await first_delivery(
                    session, incoming.channel, incoming.update_key
                ):
                    return []  # a redelivered update (ON CONFLICT DO NOTHING waits for
                    # a concurrent first delivery to commit, so this is never a race)
                ctx = await self._context(session, incoming)
                await dispatch(ctx)
                if not ctx.forgotten:
                    remember_buttons(ctx)
            return ctx.replies

    async def _context(self, session: AsyncSession, incoming: Incoming) -> Context:
        participant, created = await find_or_create(
            session, incoming.channel, incoming.user_id, incoming.display_name
        )
        if created:
            participant.locale = normalize(incoming.locale_hint)
        participant.unreachable_at = None  # they wrote to us: they can be reached again
        state = await conversation_state(session, participant)
        ctx = Context(
            session=session,
            incoming=incoming,
            participant=participant,
            state=state,
            now=self.clock(),
            audiences=self.audiences.get(incoming.channel, ("residents",)),
        )
        if participant.round_id is not None:
            ctx.round = await load_round(session, participant.round_id)
        return ctx


async def first_delivery(session: AsyncSession, channel: str, update_key: str) -> bool:
    """Record the update as processed; False if it was processed before."""
    stmt = (
        upsert(session, ProcessedUpdate)
        .values(channel=channel, update_key=update_key, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "update_key"])
    )
    return bool((await session.execute(stmt)).rowcount)


def remember_buttons(ctx: Context) -> None:
    """Keep the last buttons shown so a typed number or label can choose one."""
    shown = [reply for reply in ctx.replies if reply.buttons]
    if shown:
        ctx.state.buttons = [[b.label, b.payload] for b in shown[-1].flat_buttons]


def typed_button(ctx: Context, text: str) -> str | None:
    """The payload of the button the participant typed (its number, or its label)."""
    buttons = ctx.state.buttons or []
    wanted = text.strip().casefold()
    for label, payload in buttons:
        if label.casefold() == wanted:
            return payload
    expects_text = (ctx.state.flow, ctx.state.step) in STEPS
    if not expects_text and wanted.isdigit() and 1 <= int(wanted) <= len(buttons):
        return buttons[int(wanted) - 1][1]
    return None


async def dispatch(ctx: Context) -> None:
    """Route the event: command, button, typed button, text step, or a friendly 'unknown'."""
    incoming = ctx.incoming
    text = (incoming.text or "").strip()
    _ = ctx._
    try:
        if len(text) > MAX_MESSAGE_LENGTH:
            ctx.say(
                _("That message is {length} characters long; I can read at most {limit}.").format(
                    length=len(text), limit=MAX_MESSAGE_LENGTH
                )
            )
        elif incoming.payload is not None:
            await run_action(ctx, incoming.payload)
        elif text.startswith("/"):
            await run_command(ctx, text)
        elif incoming.photo and ctx.state.step == "photo" and (ctx.state.flow, "photo") in STEPS:
            await STEPS[(ctx.state.flow, "photo")](ctx, incoming.photo)
        elif incoming.photo and not text:
            ctx.say(_("I cannot use a photo here. Photos can be added to an idea under /propose."))
        elif not text:
            ctx.say(_("I received an empty message. Type /help to see what I can do."))
        elif (payload := typed_button(ctx, text)) is not None:
            await run_action(ctx, payload)
        elif ctx.state.flow and ctx.state.step and (ctx.state.flow, ctx.state.step) in STEPS:
            await STEPS[(ctx.state.flow, ctx.state.step)](ctx, text)
        elif ctx.participant.round_id is None and not ctx.state.flow:
            await COMMANDS["start"](ctx, "")
        else:
            ctx.say(
                _("Sorry, I did not understand that. Choose from the menu or type /help."),
                menu_buttons(ctx),
            )
    except RuleViolation as error:
        ctx.say(violation_text(ctx, error))


async def run_command(ctx: Context, text: str) -> None:
    """Run ``/name args``; ``/name@botname`` from group chats works too."""
    head, _sep, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    handler = COMMANDS.get(name)
    if handler is None:
        ctx.say(
            ctx._("I do not know the command /{name}. Type /help to see what I can do.").format(
                name=name[:32]
            )
        )
        return
    ctx.interrupted = ctx.state.flow
    ctx.clear()
    await handler(ctx, args.strip())


async def run_action(ctx: Context, payload: str) -> None:
    """Run a button payload ``verb:arg:...``; unknown or forged payloads get a clear answer.

    A payload that names a command (``vote``, ``menu``) runs that command.
    """
    verb, *args = payload.split(":")
    handler = ACTIONS.get(verb)
    if handler is None and not args and verb in COMMANDS and len(payload) <= 64:
        await run_command(ctx, f"/{verb}")
        return
    if handler is None or len(payload.encode()) > 64:
        log.info("unknown button payload from %s", ctx.incoming.channel)
        stale_button(ctx)
        return
    if ctx.round is None and verb not in ("lang", "round"):
        await COMMANDS["start"](ctx, "")
        return
    await handler(ctx, args)


__all__ = ["DialogEngine", "Incoming", "Reply"]
