"""One chat's updates are handled in the order they arrived; different chats in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class InOrder:
    """Runs jobs one after another per key, in the order ``run`` was called."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        """Keys with a job running or waiting."""
        return len(self._tails)

    async def run(self, key: Hashable, job: Callable[[], Awaitable[T]]) -> T:
        """Run ``job`` after every earlier job of ``key`` has finished (however it ended)."""
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        try:
            if previous is not None:
                await asyncio.wait([previous])
            return await job()
        finally:
            if previous is None or previous.done():
                self._finish(key, mine)
            else:  # cancelled while waiting: the next job still waits for the previous one
                previous.add_done_callback(lambda _: self._finish(key, mine))

    def _finish(self, key: Hashable, mine: asyncio.Future[None]) -> None:
        mine.set_result(None)
        if self._tails.get(key) is mine:
            del self._tails[key]

    async def idle(self) -> None:
        """Wait until no job is running or waiting."""
        while self._tails:
            await asyncio.wait(list(self._tails.values()))
