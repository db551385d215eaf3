"""The console channel: the same dialogs in a terminal, interactive or with piped stdin."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from fastapi import FastAPI

from bot.channels.contract import DeliveryGuard, SendOutcome, TurnHandler
from dialogs.types import Incoming, Reply

CHANNEL = "console"


def as_terminal_text(reply: Reply) -> str:
    """A reply as terminal text, buttons numbered so they can be typed."""
    lines = [reply.text]
    if reply.image:
        lines.append(f"[image: {reply.image}]")
    buttons = reply.flat_buttons
    if buttons:
        lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, start=1)))
    return "\n".join(lines)


class ConsoleChannel:
    """Reads one message per line, prints the replies; ends at EOF or /quit."""

    name = CHANNEL

    def __init__(
        self,
        turns: TurnHandler | None,
        user: str = "console-user",
        locale: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.turns = turns
        """Given by ``budgetbot serve`` when the console is made before the runtime (the demo)."""
        self.user = user
        self.locale = locale
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def mount(self, app: FastAPI) -> None:
        """The console has no HTTP routes."""

    async def connect(self) -> None:
        """Nothing to prepare."""

    async def disconnect(self) -> None:
        """Nothing to release."""

    async def send(
        self,
        external_id: str,
        replies: list[Reply],
        *,
        address: Mapping[str, Any] | None = None,
        guard: DeliveryGuard | None = None,
    ) -> SendOutcome:
        """Print a notification for the person at this console (others are not here)."""
        if external_id != self.user:
            outcome = SendOutcome.FAILED
        else:
            self.show(replies)
            outcome = SendOutcome.SENT
        if guard is not None:  # the console's replies are never stored; nothing to keep
            await guard.finish(outcome)
        return outcome

    def show(self, replies: list[Reply]) -> None:
        """Print replies, separated by blank lines."""
        for reply in replies:
            self.stdout.write(as_terminal_text(reply) + "\n\n")
        self.stdout.flush()

    async def listen(self) -> None:
        """Feed every line to the dialogs until EOF."""
        interactive = self.stdin.isatty()
        if interactive:
            self.stdout.write("budgetbot console — type /start, /help, or /quit\n\n")
        while True:
            if interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            text = line.rstrip("\r\n")
            if text.strip() == "/quit":
                break
            if not interactive:
                self.stdout.write(f"> {text}\n")
            incoming = Incoming(
                channel=CHANNEL,
                user_id=self.user,
                text=text,
                display_name=self.user,
                locale_hint=self.locale,
            )
            assert self.turns is not None, "the console needs a turn handler"
            self.show(await self.turns(incoming))
