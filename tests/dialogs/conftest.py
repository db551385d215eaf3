"""Transcript testing: a conversation is data, a list of (message, expected reply) pairs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Round, utcnow
from budgeting.phases import Phase
from dialogs.engine import DialogEngine
from dialogs.types import Incoming, Reply
from tests.builders import rounds_in_phase
from tests.rounds import TOWN, WORKPLACE

Expected = str | Sequence[str]


def rendered(replies: list[Reply]) -> str:
    """All reply texts and button labels of one turn, as one string."""
    parts = []
    for reply in replies:
        parts.append(reply.text)
        parts.extend(f"[{b.label}]" for b in reply.flat_buttons)
    return "\n".join(parts)


@dataclass
class Chat:
    """A stub channel that keeps a transcript of one participant's conversation."""

    engine: DialogEngine
    user: str = "resident-1"
    channel: str = "console"
    locale_hint: str | None = None
    transcript: list[tuple[str, str]] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    async def send(self, text: str | None = None, payload: str | None = None, **extra) -> str:
        """Send a message (or press a button by payload); returns the rendered replies."""
        incoming = Incoming(
            channel=self.channel,
            user_id=self.user,
            text=text,
            payload=payload,
            locale_hint=self.locale_hint,
            display_name=self.user,
            **extra,
        )
        self.last = await self.engine.handle(incoming)
        out = rendered(self.last)
        self.transcript.append((text or f"<{payload}>", out))
        return out

    async def run(self, steps: Sequence[tuple[str, Expected]]) -> None:
        """Play (message, expected) pairs; every expected fragment must be in the reply."""
        for message, expected in steps:
            out = await self.send(message)
            for fragment in [expected] if isinstance(expected, str) else expected:
                assert fragment in out, (
                    f"after {message[:200]!r} expected {fragment!r} in:\n{out}\n\n"
                    + "\n".join(f"> {m[:200]}\n{r[:2000]}" for m, r in self.transcript)
                )

    def payload_of(self, label_part: str) -> str:
        """The payload of the last shown button whose label contains ``label_part``."""
        for reply in self.last:
            for button in reply.flat_buttons:
                if label_part in button.label:
                    return button.payload
        raise AssertionError(f"no button {label_part!r} in {rendered(self.last)}")


class Clock:
    """A settable clock for the dialog engine."""

    def __init__(self) -> None:
        self.now: datetime = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> DialogEngine:
    return DialogEngine(sessions, clock=clock)


@pytest.fixture
def seeded(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Callable:
    """TOWN and WORKPLACE in a given phase: ``await seeded(Phase.VOTING)``; returns TOWN."""

    async def seed(phase: Phase = Phase.IDEAS) -> Round:
        async with sessions() as session, session.begin():
            return (await rounds_in_phase(session, clock.now, phase, TOWN, WORKPLACE))[0]

    return seed


@pytest.fixture
def chat(engine: DialogEngine) -> Callable[..., Chat]:
    def make(user: str = "resident-1", **kwargs) -> Chat:
        return Chat(engine, user=user, **kwargs)

    return make
