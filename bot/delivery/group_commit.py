"""Group commit: many senders' outcomes written in few transactions, one writer at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """``add`` returns once its item is written; what arrives while one write runs goes
    into the next (``run`` is the writer, until cancelled). A failed write fails the
    ``add`` of each of its items."""

    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self.write = write
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._arrived = asyncio.Event()
        self._writing = False

    async def add(self, item: T) -> None:
        """Wait until ``item`` is written (raises what the write raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        self._arrived.set()
        await done

    async def run(self) -> None:
        """Write what is waiting, again and again, until cancelled."""
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            batch, self._waiting = self._waiting, []
            self._writing = True
            try:
                await self.write([item for item, _ in batch])
            except Exception as error:  # noqa: BLE001 - the senders hear of it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
            finally:
                self._writing = False

    async def flush(self, poll: float = 0.005) -> None:
        """Wait until everything added so far is written (while ``run`` runs)."""
        while self._waiting or self._writing:  # noqa: ASYNC110 - the writer is another task
            await asyncio.sleep(poll)
