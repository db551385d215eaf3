"""Outbound delivery shared by replies and notifications: order per recipient, rate limits.

Channel-agnostic. A channel hands over a transport that makes one call per message
and raises ``RetryAfter``, ``RecipientUnreachable`` or ``DeliveryRefused``; the
``Outbound`` keeps each recipient's messages in order, stays within the overall and
per-recipient rates, waits out "retry after" answers and stops at unreachable
recipients.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.channels.contract import DeliveryGuard, SendOutcome

log = logging.getLogger(__name__)

M = TypeVar("M")
Transport = Callable[[str, M], Awaitable[None]]
"""Sends one message to one recipient; raises the exceptions below."""


class RetryAfter(Exception):
    """The channel asked us to send nothing for ``seconds`` (Telegram's 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class RecipientUnreachable(Exception):
    """The recipient blocked us or is gone (Telegram's 403): stop sending to them."""


class DeliveryRefused(Exception):
    """The channel refused this message for good (a malformed request); do not retry it."""


@dataclass(frozen=True)
class RateLimits:
    """How fast to send. Telegram: about 30 messages/s overall, 1/s per chat (short bursts ok)."""

    overall_per_second: float = 30.0
    overall_burst: float | None = None
    """Messages the overall limit may save up (None: a tenth of a second's worth, at least 1)."""
    receiver_window: bool = True
    """Also cap the overall rate by a window of one second on the receiver's clock, counting
    sends still waiting for their answer (Telegram counts so); off, the bucket alone paces."""
    overall_window_margin: float = 0.01
    """Seconds added to the one-second window of the overall limit (clock granularity)."""
    per_recipient_per_second: float = 1.0
    per_recipient_burst: int = 3
    max_attempts: int = 5
    """Network or server failures of one message before it counts as failed."""
    max_retry_after: float = 300.0
    """Longest "retry after" we accept; longer ones fail the message (try again later)."""
    max_floods: int = 10
    """"Retry after" answers to one message before it counts as failed."""


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def idle(self, now: float) -> bool:
        """True when the bucket is full again (it can be forgotten)."""
        return self.tokens + (now - self.stamp) * self.rate >= self.capacity


class SlidingWindow:
    """At most ``count`` sends in any ``seconds`` long window, as the receiver counts them.

    A send counts from the moment it starts until ``seconds`` after its answer came
    back: the receiver saw it at some moment in between, so however late our loop or the
    network runs, no window on the receiver's clock holds more than ``count``.
    """

    BUSY_POLL = 0.005
    """Seconds to wait when every slot is taken by a send still waiting for its answer."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.in_flight = 0
        self.answered: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it does)."""
        while self.answered and self.answered[0] <= now - self.seconds:
            self.answered.popleft()
        if self.in_flight + len(self.answered) < self.count:
            return 0.0
        return self.answered[0] + self.seconds - now if self.answered else self.BUSY_POLL

    def take(self) -> None:
        self.in_flight += 1

    def answer(self, now: float) -> None:
        """A send taken earlier got its answer (whatever it was)."""
        self.in_flight -= 1
        self.answered.append(now)


class RateLimiter:
    """An overall limit, one bucket per recipient, and a pause after "retry after".

    The overall limit is a token bucket (smooth pacing, with a little slack so a late
    wake-up is made up for), capped by a sliding window of one second (plus a margin) on
    the receiver's clock unless the limits switch that off. Call ``answered`` once each
    acquired send has its answer. Recipients whose own bucket allows a send wait for the
    shared limits one at a time, first come first served: each send wakes one waiter, not
    every busy recipient.
    """

    PRUNE_ABOVE = 4096

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        rate = limits.overall_per_second
        burst = limits.overall_burst or max(1.0, rate / 10)
        self.overall = TokenBucket(rate, burst, clock())
        count = max(1, int(rate))
        self.window = (
            SlidingWindow(count, count / rate + limits.overall_window_margin)
            if limits.receiver_window
            else None
        )
        self.recipients: dict[str, TokenBucket] = {}
        self.paused_until = 0.0
        self._turns = asyncio.Lock()
        """Held by the one recipient waiting for the shared limits (a fair, FIFO lock)."""

    async def acquire(self, recipient: str) -> None:
        """Wait until one more message to ``recipient`` is within every limit, and count it."""
        while True:  # first this recipient's own pace (1 message a second)
            now = self.clock()
            if (wait := self._bucket(recipient, now).wait(now)) <= 0:
                break
            await asyncio.sleep(wait)
        async with self._turns:  # then the shared limits, counted when the send starts
            while True:
                now = self.clock()
                bucket = self._bucket(recipient, now)
                wait = max(
                    self.paused_until - now,
                    self.overall.wait(now),
                    self.window.wait(now) if self.window else 0.0,
                    bucket.wait(now),
                )
                if wait <= 0:
                    self.overall.take()
                    if self.window:
                        self.window.take()
                    bucket.take()
                    return
                await asyncio.sleep(wait)

    def answered(self) -> None:
        """The send last acquired for has its answer: it counts in the window from now."""
        if self.window:
            self.window.answer(self.clock())

    def pause(self, seconds: float) -> None:
        """Send nothing to anyone for ``seconds`` (a 429 means we went too fast)."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def _bucket(self, recipient: str, now: float) -> TokenBucket:
        bucket = self.recipients.get(recipient)
        if bucket is None:
            if len(self.recipients) > self.PRUNE_ABOVE:
                self.recipients = {k: b for k, b in self.recipients.items() if not b.idle(now)}
            bucket = TokenBucket(
                self.limits.per_recipient_per_second, self.limits.per_recipient_burst, now
            )
            self.recipients[recipient] = bucket
        return bucket


@dataclass
class Batch(Generic[M]):
    """Messages for one recipient, sent in order; ``done`` gets the overall outcome.

    With a ``guard`` (a turn's stored replies) the messages it says were delivered are
    skipped, each send goes through it and it hears the outcome before ``done`` does.
    """

    messages: Sequence[M]
    guard: DeliveryGuard | None = None
    done: asyncio.Future[SendOutcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


WORST_FIRST = (SendOutcome.UNREACHABLE, SendOutcome.FAILED, SendOutcome.SENT)


class Outbound(Generic[M]):
    """Ordered, rate-limited delivery for one channel; one worker per busy recipient."""

    def __init__(
        self,
        transport: Transport[M],
        limits: RateLimits | None = None,
        on_unreachable: Callable[[str], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.limits = limits or RateLimits()
        self.limiter = RateLimiter(self.limits, clock)
        self.on_unreachable = on_unreachable
        self._queues: dict[str, deque[Batch[M]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._unreachable: set[str] = set()

    def submit(
        self, recipient: str, messages: Sequence[M], guard: DeliveryGuard | None = None
    ) -> asyncio.Future[SendOutcome]:
        """Queue ``messages`` for ``recipient`` behind what is already queued; don't wait."""
        batch: Batch[M] = Batch(messages, guard)
        if guard is None and recipient in self._unreachable:
            batch.done.set_result(SendOutcome.UNREACHABLE)
        elif guard is None and not messages:
            batch.done.set_result(SendOutcome.SENT)
        else:
            self._queues.setdefault(recipient, deque()).append(batch)
            if recipient not in self._workers:
                self._workers[recipient] = asyncio.create_task(self._work(recipient))
        return batch.done

    async def send(
        self, recipient: str, messages: Sequence[M], guard: DeliveryGuard | None = None
    ) -> SendOutcome:
        """Queue ``messages`` and wait until they are delivered (or not)."""
        return await asyncio.shield(self.submit(recipient, messages, guard))

    def is_unreachable(self, recipient: str) -> bool:
        """True once the recipient blocked us (until they write again)."""
        return recipient in self._unreachable

    def reachable_again(self, recipient: str) -> None:
        """The recipient wrote to us: they can be reached again."""
        self._unreachable.discard(recipient)

    @property
    def busy(self) -> bool:
        """True while anything is queued or being sent."""
        return bool(self._workers)

    async def drain(self) -> None:
        """Wait until every queued message is delivered or given up."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self) -> None:
        """Stop the workers; anything still queued fails (to be tried again later)."""
        for task in list(self._workers.values()):
            task.cancel()
        await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def _work(self, recipient: str) -> None:
        queue = self._queues[recipient]
        try:
            while queue:
                batch = queue[0]
                outcome = await self._deliver(recipient, batch)
                queue.popleft()
                try:
                    if outcome is SendOutcome.UNREACHABLE and recipient not in self._unreachable:
                        await self._gone(recipient)  # recorded before anyone hears
                    if batch.guard is not None:
                        await batch.guard.finish(outcome)
                finally:
                    _settle(batch, outcome)
        finally:
            for batch in queue:
                if batch.guard is not None:
                    batch.guard.abandon()
                _settle(batch, SendOutcome.FAILED)
            del self._queues[recipient]
            del self._workers[recipient]

    async def _deliver(self, recipient: str, batch: Batch[M]) -> SendOutcome:
        if recipient in self._unreachable:
            return SendOutcome.UNREACHABLE
        guard = batch.guard
        messages = batch.messages[guard.delivered :] if guard is not None else batch.messages
        outcomes = [SendOutcome.SENT]
        for number, message in enumerate(messages, start=1):
            outcomes.append(
                await self._deliver_one(recipient, message, guard, number == len(messages))
            )
            if outcomes[-1] is SendOutcome.UNREACHABLE or (
                guard is not None and outcomes[-1] is not SendOutcome.SENT
            ):
                break  # stored replies: the rest waits for another try, in order
        return next(o for o in WORST_FIRST if o in outcomes)

    async def _deliver_one(
        self, recipient: str, message: M, guard: DeliveryGuard | None, last: bool
    ) -> SendOutcome:
        failures = floods = 0
        while True:
            await self.limiter.acquire(recipient)
            try:
                try:
                    if guard is None:
                        await self.transport(recipient, message)
                    else:
                        await guard.one(lambda: self.transport(recipient, message), last)
                finally:
                    self.limiter.answered()
                return SendOutcome.SENT
            except RetryAfter as flood:
                floods += 1
                if flood.seconds > self.limits.max_retry_after or floods > self.limits.max_floods:
                    log.warning("retry after %.0f s is too long; message failed", flood.seconds)
                    return SendOutcome.FAILED
                log.info("rate limited by the channel: pausing for %.1f s", flood.seconds)
                self.limiter.pause(flood.seconds)
            except RecipientUnreachable:
                return SendOutcome.UNREACHABLE
            except DeliveryRefused as refused:
                log.warning("message refused by the channel: %s", refused)
                return SendOutcome.FAILED
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - network or server trouble: retry
                failures += 1
                log.warning("send failed (%s), attempt %d", type(error).__name__, failures)
                if failures >= self.limits.max_attempts:
                    return SendOutcome.FAILED
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))

    async def _gone(self, recipient: str) -> None:
        """The recipient is gone: what is still queued for them ends so, batch by batch."""
        self._unreachable.add(recipient)
        if self.on_unreachable is not None:
            try:
                await self.on_unreachable(recipient)
            except Exception as error:  # noqa: BLE001 - recording it must not stop delivery
                log.error("could not record an unreachable recipient: %s", type(error).__name__)


def _settle(batch: Batch[M], outcome: SendOutcome) -> None:
    if not batch.done.done():
        batch.done.set_result(outcome)
