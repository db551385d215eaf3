"""Flow routers (one per flow, as aiogram's ``Router``) and the routes an engine composes.

A flow's buttons carry payloads ``<flow>:<action>[:args]`` (``vote:pick:12``), at most
64 bytes (Telegram's limit for callback data). A payload that is only a command's name
(``menu``, ``vote``) runs that command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.context import Context

CommandHandler = Callable[["Context", str], Awaitable[None]]
ActionHandler = Callable[["Context", list[str]], Awaitable[None]]
StepHandler = Callable[["Context", str], Awaitable[None]]
"""Gets the typed text (text steps) or the channel's photo reference (photo steps)."""
TextUnderHandler = Callable[["Context", str, list[str]], Awaitable[None]]
"""Gets text typed under a button, with that button's arguments."""

PAYLOAD_LIMIT = 64
"""Bytes of a button payload; Telegram refuses longer callback data."""


@dataclass(frozen=True)
class Action:
    """What a pressed button runs; most need the participant to be in a round."""

    handler: ActionHandler
    needs_round: bool = True


class FlowRouter:
    """The commands, button actions and steps of one flow."""

    def __init__(self, flow: str) -> None:
        self.flow = flow
        self.commands: dict[str, CommandHandler] = {}
        self.actions: dict[str, Action] = {}
        self.text_steps: dict[tuple[str, str], StepHandler] = {}
        self.photo_steps: dict[tuple[str, str], StepHandler] = {}
        self.texts_under: dict[str, TextUnderHandler] = {}

    def command(self, *names: str) -> Callable[[CommandHandler], CommandHandler]:
        """Handle ``/name [args]`` (and a button whose payload is ``name``)."""

        def register(handler: CommandHandler) -> CommandHandler:
            for name in names:
                self.commands[name] = handler
            return handler

        return register

    def action(
        self, name: str, needs_round: bool = True
    ) -> Callable[[ActionHandler], ActionHandler]:
        """Handle the button payloads ``<flow>:<name>[:args]``."""
        if ":" in name:
            raise ValueError(f"an action name cannot contain ':' ({name!r})")

        def register(handler: ActionHandler) -> ActionHandler:
            self.actions[name] = Action(handler, needs_round)
            return handler

        return register

    def text_under(self, action: str) -> Callable[[TextUnderHandler], TextUnderHandler]:
        """Handle text that no step waits for, typed while the last buttons shown include
        one of this flow's ``action`` (text typed under a proposal offers to post it)."""

        def register(handler: TextUnderHandler) -> TextUnderHandler:
            self.texts_under[action] = handler
            return handler

        return register

    def step(self, step: str, flow: str | None = None) -> Callable[[StepHandler], StepHandler]:
        """Handle text typed while the conversation is at ``flow`` (this one)/``step``."""
        return self._step(self.text_steps, step, flow)

    def photo_step(
        self, step: str, flow: str | None = None
    ) -> Callable[[StepHandler], StepHandler]:
        """Handle a photo sent while the conversation is at ``flow`` (this one)/``step``."""
        return self._step(self.photo_steps, step, flow)

    def _step(
        self, steps: dict[tuple[str, str], StepHandler], step: str, flow: str | None
    ) -> Callable[[StepHandler], StepHandler]:
        def register(handler: StepHandler) -> StepHandler:
            steps[(flow or self.flow, step)] = handler
            return handler

        return register

    def payload(self, action: str, *args: object) -> str:
        """The payload of a button that runs ``action`` with ``args``."""
        if action not in self.actions:
            raise LookupError(f"flow {self.flow!r} has no action {action!r}")
        payload = ":".join([self.flow, action, *map(str, args)])
        if len(payload.encode()) > PAYLOAD_LIMIT:
            raise ValueError(f"button payload over {PAYLOAD_LIMIT} bytes: {payload[:80]!r}")
        return payload


class Routes:
    """Several routers composed: what a command, a button payload, a text or photo runs.

    Each engine composes its own; the routers are only read.
    """

    def __init__(self, routers: Iterable[FlowRouter]) -> None:
        self.commands: dict[str, CommandHandler] = {}
        self.actions: dict[tuple[str, str], Action] = {}
        self.text_steps: dict[tuple[str, str], StepHandler] = {}
        self.photo_steps: dict[tuple[str, str], StepHandler] = {}
        self.texts_under: dict[tuple[str, str], TextUnderHandler] = {}
        for router in routers:
            merge(self.commands, router.commands)
            merge(self.actions, {(router.flow, n): a for n, a in router.actions.items()})
            merge(self.text_steps, router.text_steps)
            merge(self.photo_steps, router.photo_steps)
            merge(self.texts_under, {(router.flow, n): h for n, h in router.texts_under.items()})

    def action(self, payload: str) -> tuple[Action, list[str]] | None:
        """The action a payload names, with its arguments; None if unknown or too long."""
        if len(payload.encode()) > PAYLOAD_LIMIT:
            return None
        flow, _sep, rest = payload.partition(":")
        name, *args = rest.split(":")
        action = self.actions.get((flow, name))
        return None if action is None else (action, args)

    def text_under(self, payloads: Iterable[str]) -> tuple[TextUnderHandler, list[str]] | None:
        """The handler of text typed under buttons with ``payloads``, with its arguments."""
        for payload in payloads:
            flow, _sep, rest = payload.partition(":")
            name, *args = rest.split(":")
            if (handler := self.texts_under.get((flow, name))) is not None:
                return handler, args
        return None

    def text_step(self, flow: str | None, step: str | None) -> StepHandler | None:
        """The handler of text typed at ``flow``/``step``, if that step expects text."""
        return self.text_steps.get((flow, step)) if flow and step else None

    def photo_step(self, flow: str | None, step: str | None) -> StepHandler | None:
        """The handler of a photo sent at ``flow``/``step``, if that step takes one."""
        return self.photo_steps.get((flow, step)) if flow and step else None


def merge(into: dict, entries: dict) -> None:
    """Add ``entries``; two routers claiming the same command, action or step is a bug."""
    for key, value in entries.items():
        if key in into:
            raise ValueError(f"{key!r} is routed twice")
        into[key] = value
