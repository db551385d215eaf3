"""Registries that map commands, button payloads and text steps to flow handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.context import Context

CommandHandler = Callable[["Context", str], Awaitable[None]]
ActionHandler = Callable[["Context", list[str]], Awaitable[None]]
StepHandler = Callable[["Context", str], Awaitable[None]]

COMMANDS: dict[str, CommandHandler] = {}
ACTIONS: dict[str, ActionHandler] = {}
STEPS: dict[tuple[str, str], StepHandler] = {}


def command(*names: str) -> Callable[[CommandHandler], CommandHandler]:
    """Register a handler for ``/name [args]``."""

    def register(handler: CommandHandler) -> CommandHandler:
        for name in names:
            COMMANDS[name] = handler
        return handler

    return register


def action(verb: str) -> Callable[[ActionHandler], ActionHandler]:
    """Register a handler for button payloads ``verb[:arg...]``."""

    def register(handler: ActionHandler) -> ActionHandler:
        ACTIONS[verb] = handler
        return handler

    return register


def step(flow: str, name: str) -> Callable[[StepHandler], StepHandler]:
    """Register the handler for free text typed while in ``flow``/``name``."""

    def register(handler: StepHandler) -> StepHandler:
        STEPS[(flow, name)] = handler
        return handler

    return register
