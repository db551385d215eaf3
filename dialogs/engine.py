"""The dialog engine: one Incoming in, one transaction, a list of Replies out."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.i18n import normalize
from budgeting.models import Participant, Round, utcnow
from budgeting.services.errors import RuleViolation
from budgeting.services.participants import (
    Conversation,
    find_or_create,
    participants_by_identity,
    save_conversations,
)
from budgeting.services.reachability import reachable_again
from budgeting.services.redelivery import record_new_updates
from budgeting.services.reply_outbox import LeaseHolder, StoredReplies, store_replies
from budgeting.services.rounds import load_round
from dialogs.context import Context
from dialogs.flows import all_routers
from dialogs.routing import FlowRouter, Routes
from dialogs.types import Button, Incoming, Reply
from dialogs.wording import menu_buttons, stale_button, violation_text

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 10_000
DEFAULT_AUDIENCES: Mapping[str, tuple[str, ...]] = {
    "console": ("residents",),
    "telegram": ("residents",),
    "teams": ("employees",),
}


class DialogEngine:
    """Feeds Incoming events to the flows: in order per participant, committed before replying.

    Events that arrive while others are being handled are handled together, one after
    another in one transaction (a batch), which costs far less than a transaction each:
    the batch records its update keys in one statement, reads its participants with
    their dialog state in one more, each round once, and writes the dialog states that
    changed in one more at the end. If anything in a batch fails,
    nothing of it is committed and each of its events is handled again on its own, so
    one failing event never takes another down with it. A batch holds at most one event
    per participant. ``workers`` batches run at once: 1 on SQLite (one writer at a time;
    waiting here is cheaper than SQLite's sleeping busy handler), 10 otherwise.

    ``routers`` are the flows it offers (every flow of :mod:`dialogs.flows` by default).
    With ``reply_holder`` (whoever sends them), the replies of every event with an update
    key are stored in the batch's transaction, leased to it, so that they survive a crash
    (``budgeting.services.reply_outbox``). ``public_url`` is where this server is reached
    from outside; the dialogs link published files under it.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        audiences: Mapping[str, tuple[str, ...]] = DEFAULT_AUDIENCES,
        clock: Callable[[], datetime] = utcnow,
        workers: int | None = None,
        batch_limit: int = 50,
        routers: Iterable[FlowRouter] | None = None,
        reply_holder: LeaseHolder | None = None,
        public_url: str = "",
    ) -> None:
        self.sessions = sessions
        self.routes = Routes(all_routers() if routers is None else routers)
        self.audiences = audiences
        self.clock = clock
        self.workers = workers or default_workers(sessions)
        self.batch_limit = batch_limit
        self.reply_holder = reply_holder
        self.public_url = public_url
        self._waiting: deque[Turn] = deque()
        self._busy: set[tuple[str, str]] = set()
        """Participants whose event is in a batch under way."""
        self._running: set[asyncio.Task[None]] = set()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one event; the effects are committed before the replies are returned."""
        turn = Turn(incoming, asyncio.get_running_loop().create_future())
        self._waiting.append(turn)
        if len(self._running) < self.workers:
            task = asyncio.create_task(self._work())
            self._running.add(task)
            task.add_done_callback(self._running.discard)  # if it never ran (cancelled)
        return await asyncio.shield(turn.done)

    async def _work(self) -> None:
        """Handle batches until no waiting event can be taken.

        A worker leaves ``_running`` in the same step in which it finds nothing to take:
        were it left to the done callback, an event arriving in between would see the
        worker still counted, start none, and wait until some later event started one.
        """
        try:
            while batch := self._take():
                try:
                    await self._run_batch(batch)
                finally:
                    self._busy.difference_update(turn.key for turn in batch)
                    for turn in batch:  # stopped half way (the server shuts down)
                        if not turn.done.done():
                            turn.done.cancel()
        finally:
            task = asyncio.current_task()
            if task is not None:
                self._running.discard(task)

    def _take(self) -> list[Turn]:
        """The next batch: waiting events in arrival order, one per free participant."""
        batch: list[Turn] = []
        left: deque[Turn] = deque()
        while self._waiting:
            turn = self._waiting.popleft()
            if turn.key in self._busy or len(batch) >= self.batch_limit:
                left.append(turn)  # its participant's earlier event goes first
            else:
                self._busy.add(turn.key)
                batch.append(turn)
        self._waiting = left
        return batch

    async def _run_batch(self, batch: list[Turn]) -> None:
        if len(batch) > 1:
            try:
                async with self.sessions() as session, session.begin():
                    results = await self._handle_all(session, [t.incoming for t in batch])
            except Exception:  # noqa: BLE001 - handled again one by one just below
                log.warning("a batch of %d events failed; handling each on its own", len(batch))
            else:
                for turn, replies in zip(batch, results, strict=True):
                    turn.resolve(replies)
                return
        for turn in batch:
            try:
                async with self.sessions() as session, session.begin():
                    (replies,) = await self._handle_all(session, [turn.incoming])
            except Exception as error:  # noqa: BLE001 - the caller gets it
                turn.fail(error)
            else:
                turn.resolve(replies)

    async def _handle_all(self, session: AsyncSession, events: list[Incoming]) -> list[list[Reply]]:
        """Handle events of different participants in order, in the session's transaction."""
        fresh = await first_deliveries(session, events)
        new_events = [e for e, new in zip(events, fresh, strict=True) if new]
        known = await known_participants(session, new_events)
        rounds: dict[int, Round | None] = {}
        results: list[list[Reply]] = []
        conversations: list[Conversation] = []
        for incoming, new in zip(events, fresh, strict=True):
            if not new:
                results.append([])  # a redelivered update
                continue
            ctx = await self._context(session, incoming, known, rounds)
            await dispatch(ctx, self.routes)
            if not ctx.forgotten:  # else the row went with the participant
                remember_buttons(ctx)
                conversations.append(ctx.state)
            results.append(ctx.replies)
        await save_conversations(session, conversations, self.clock())
        if self.reply_holder is not None:
            kept = [
                stored(e, r) for e, r in zip(events, results, strict=True) if r and e.update_key
            ]
            await store_replies(session, kept, self.reply_holder, self.clock())
        return results

    async def _context(
        self,
        session: AsyncSession,
        incoming: Incoming,
        known: Mapping[tuple[str, str], tuple[Participant, Conversation]],
        rounds: dict[int, Round | None],
    ) -> Context:
        channel, user_id = incoming.channel, incoming.user_id
        found = known.get((channel, user_id))
        if found is None:
            participant, created = await find_or_create(
                session, channel, user_id, incoming.display_name
            )
            if created:
                participant.locale = normalize(incoming.locale_hint)
                found = (participant, Conversation(participant.id))
            else:  # another worker process has just created them
                found = (await participants_by_identity(session, channel, [user_id]))[user_id]
        participant, state = found
        reachable_again(participant)  # they wrote to us
        ctx = Context(
            session=session,
            incoming=incoming,
            participant=participant,
            state=state,
            now=self.clock(),
            audiences=self.audiences.get(incoming.channel, ("residents",)),
            public_url=self.public_url,
        )
        if (round_id := participant.round_id) is not None:
            if round_id not in rounds:
                rounds[round_id] = await load_round(session, round_id)
            ctx.round = rounds[round_id]
        return ctx


@dataclass
class Turn:
    """One event waiting for its batch, and the future its replies go to."""

    incoming: Incoming
    done: asyncio.Future[list[Reply]]

    @property
    def key(self) -> tuple[str, str]:
        return (self.incoming.channel, self.incoming.user_id)

    def resolve(self, replies: list[Reply]) -> None:
        if not self.done.done():
            self.done.set_result(replies)

    def fail(self, error: Exception) -> None:
        if not self.done.done():
            self.done.set_exception(error)


def default_workers(sessions: async_sessionmaker[AsyncSession]) -> int:
    """1 on SQLite, 10 otherwise."""
    bind = sessions.kw.get("bind")
    return 1 if bind is not None and bind.dialect.name == "sqlite" else 10


async def first_deliveries(session: AsyncSession, events: Sequence[Incoming]) -> list[bool]:
    """Record the events' update keys as processed; for each event, True if it is new.

    An event without an update key (the console) is always new.
    """
    now = utcnow()
    rows = [
        {"channel": e.channel, "update_key": e.update_key, "created_at": now}
        for e in events
        if e.update_key is not None
    ]
    new = await record_new_updates(session, rows)
    return [e.update_key is None or (e.channel, e.update_key) in new for e in events]


async def known_participants(
    session: AsyncSession, events: Sequence[Incoming]
) -> dict[tuple[str, str], tuple[Participant, Conversation]]:
    """The participants behind the events who have been here before, with their state."""
    channels: dict[str, list[str]] = {}
    for event in events:
        channels.setdefault(event.channel, []).append(event.user_id)
    known: dict[tuple[str, str], tuple[Participant, Conversation]] = {}
    for channel, user_ids in channels.items():
        found = await participants_by_identity(session, channel, user_ids)
        known.update(((channel, user_id), found) for user_id, found in found.items())
    return known


def stored(incoming: Incoming, replies: list[Reply]) -> StoredReplies:
    """A turn's replies as the reply outbox keeps them."""
    assert incoming.update_key is not None
    return StoredReplies(
        channel=incoming.channel,
        update_key=incoming.update_key,
        recipient=incoming.user_id,
        address=dict(incoming.reply_address),
        replies=[reply.to_json() for reply in replies],
    )


def remember_buttons(ctx: Context) -> None:
    """Keep the last buttons shown so a typed number or label can choose one."""
    shown = [reply for reply in ctx.replies if reply.buttons]
    if shown:
        ctx.state.buttons = [[b.label, b.payload] for b in shown[-1].flat_buttons]


def typed_button(ctx: Context, text: str, routes: Routes) -> str | None:
    """The payload of the button the participant typed (its number, or its label)."""
    buttons = ctx.state.buttons or []
    wanted = text.strip().casefold()
    for label, payload in buttons:
        if label.casefold() == wanted:
            return payload
    expects_text = routes.text_step(ctx.state.flow, ctx.state.step) is not None
    if not expects_text and wanted.isdigit() and 1 <= int(wanted) <= len(buttons):
        return buttons[int(wanted) - 1][1]
    return None


async def dispatch(ctx: Context, routes: Routes) -> None:
    """Route the event: command, button, typed button, text step, text under a button that
    takes it, or a friendly 'unknown'."""
    incoming = ctx.incoming
    text = (incoming.text or "").strip()
    flow, step = ctx.state.flow, ctx.state.step
    start = routes.commands.get("start")
    _ = ctx._
    try:
        if len(text) > MAX_MESSAGE_LENGTH:
            ctx.say(
                _("That message is {length} characters long; I can read at most {limit}.").format(
                    length=len(text), limit=MAX_MESSAGE_LENGTH
                )
            )
        elif incoming.payload is not None:
            await run_action(ctx, incoming.payload, routes)
        elif text.startswith("/"):
            await run_command(ctx, text, routes)
        elif incoming.photo and (photo_step := routes.photo_step(flow, step)) is not None:
            await photo_step(ctx, incoming.photo)
        elif incoming.photo and not text:
            ctx.say(_("I cannot use a photo here. Photos can be added to an idea under /propose."))
        elif not text:
            ctx.say(_("I received an empty message. Type /help to see what I can do."))
        elif (payload := typed_button(ctx, text, routes)) is not None:
            await run_action(ctx, payload, routes)
        elif (text_step := routes.text_step(flow, step)) is not None:
            await text_step(ctx, text)
        elif ctx.participant.round_id is None and not flow and start is not None:
            await start(ctx, "")
        elif (under := routes.text_under(p for _l, p in ctx.state.buttons or [])) is not None:
            handler, args = under
            await handler(ctx, text, args)
        elif flow and ctx.state.buttons:  # mid-flow: the step's own buttons again
            ctx.say(
                _("Sorry, I did not understand that. Choose one of these, or type /menu."),
                [Button(label, payload) for label, payload in ctx.state.buttons],
            )
        else:
            ctx.say(
                _("Sorry, I did not understand that. Choose from the menu or type /help."),
                menu_buttons(ctx),
            )
    except RuleViolation as error:
        ctx.say(violation_text(ctx, error))


async def run_command(ctx: Context, text: str, routes: Routes) -> None:
    """Run ``/name args``; ``/name@botname`` from group chats works too."""
    head, _sep, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    handler = routes.commands.get(name)
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


async def run_action(ctx: Context, payload: str, routes: Routes) -> None:
    """Run a button payload ``flow:action:arg...``; unknown, forged or old-style payloads
    get a clear answer.

    A payload that names a command (``vote``, ``menu``) runs that command.
    """
    if payload in routes.commands:
        await run_command(ctx, f"/{payload}", routes)
        return
    found = routes.action(payload)
    if found is None:
        log.info("unknown button payload from %s", ctx.incoming.channel)
        stale_button(ctx)
        return
    action, args = found
    start = routes.commands.get("start")
    if ctx.round is None and action.needs_round and start is not None:
        await start(ctx, "")
        return
    await action.handler(ctx, args)


__all__ = ["DialogEngine", "Incoming", "Reply"]
