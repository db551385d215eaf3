"""The channel-agnostic parts of outbound delivery: order, rate, pauses, unreachable recipients."""

from __future__ import annotations

import asyncio
import time

from bot.channels.contract import SendOutcome
from bot.channels.ordering import InOrder
from bot.channels.pacing import (
    DeliveryRefused,
    Outbound,
    RateLimiter,
    RateLimits,
    RecipientUnreachable,
    RetryAfter,
)


class Recorder:
    """A transport that records (recipient, message, time) and fails on request."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, float]] = []
        self.failures: dict[str, list[Exception]] = {}

    async def __call__(self, recipient: str, message: str) -> None:
        planned = self.failures.get(message)
        if planned:
            raise planned.pop(0)
        await asyncio.sleep(0)
        self.sent.append((recipient, message, time.monotonic()))


async def test_messages_keep_their_order_per_recipient() -> None:
    transport = Recorder()
    outbound = Outbound(transport, RateLimits(overall_per_second=1000, per_recipient_burst=100))
    futures = [outbound.submit(r, [f"{r}{n}" for n in range(3)]) for r in "ab"]
    futures.append(outbound.submit("a", ["a3"]))
    assert [await f for f in futures] == [SendOutcome.SENT] * 3
    assert [m for r, m, _ in transport.sent if r == "a"] == ["a0", "a1", "a2", "a3"]
    assert not outbound.busy


async def test_retry_after_pauses_everything_then_retries() -> None:
    transport = Recorder()
    transport.failures["a1"] = [RetryAfter(0.3)]
    outbound = Outbound(transport, RateLimits(overall_per_second=1000, per_recipient_burst=100))
    started = time.monotonic()
    outcome_a = outbound.submit("a", ["a0", "a1"])
    await asyncio.sleep(0.05)
    outcome_b = outbound.submit("b", ["b0"])
    assert (await outcome_a, await outcome_b) == (SendOutcome.SENT, SendOutcome.SENT)
    times = {m: t - started for _, m, t in transport.sent}
    assert times["a1"] >= 0.3 and times["b0"] >= 0.3  # b waited out the pause too


async def test_an_unreachable_recipient_is_reported_once_and_skipped() -> None:
    transport = Recorder()
    transport.failures["a0"] = [RecipientUnreachable()]
    gone: list[str] = []

    async def record(recipient: str) -> None:
        gone.append(recipient)

    outbound = Outbound(transport, RateLimits(overall_per_second=1000), on_unreachable=record)
    first, second = outbound.submit("a", ["a0", "a1"]), outbound.submit("a", ["a2"])
    assert (await first, await second) == (SendOutcome.UNREACHABLE, SendOutcome.UNREACHABLE)
    assert await outbound.send("a", ["a3"]) is SendOutcome.UNREACHABLE
    assert gone == ["a"] and transport.sent == []
    outbound.reachable_again("a")
    assert await outbound.send("a", ["a4"]) is SendOutcome.SENT


async def test_refused_and_failing_messages_fail_without_blocking_others() -> None:
    transport = Recorder()
    transport.failures["a0"] = [DeliveryRefused("Bad Request")]
    transport.failures["b0"] = [OSError("network")] * 2
    outbound = Outbound(transport, RateLimits(overall_per_second=1000, max_attempts=2))
    a, b = outbound.submit("a", ["a0", "a1"]), outbound.submit("b", ["b0", "b1"])
    assert (await a, await b) == (SendOutcome.FAILED, SendOutcome.FAILED)
    assert [m for _, m, _ in transport.sent] == ["a1", "b1"]


async def test_in_order_runs_one_keys_jobs_in_call_order() -> None:
    order = InOrder()
    done: list[str] = []

    async def job(name: str, delay: float) -> str:
        await asyncio.sleep(delay)
        done.append(name)
        return name

    results = await asyncio.gather(
        order.run(1, lambda: job("1a", 0.03)),
        order.run(2, lambda: job("2a", 0.0)),
        order.run(1, lambda: job("1b", 0.0)),
    )
    assert results == ["1a", "2a", "1b"]
    assert done == ["2a", "1a", "1b"]  # chats in parallel, one chat in order
    assert len(order) == 0


async def test_no_window_on_the_receivers_clock_holds_more_than_the_limit() -> None:
    """The receiver stamps a message somewhere between our send and its answer, at random;
    however the stamps fall, no one-second window holds more than the limit."""
    import random

    stamps: list[float] = []
    rng = random.Random(7)

    async def slow_receiver(recipient: str, message: str) -> None:
        started = time.monotonic()
        answer_after = rng.uniform(0.0, 0.08)
        stamps.append(started + rng.uniform(0.0, answer_after))
        await asyncio.sleep(answer_after)

    limit = 200
    outbound = Outbound(slow_receiver, RateLimits(overall_per_second=limit))
    started = time.monotonic()
    outcomes = await asyncio.gather(*(outbound.send(f"r{n}", ["hello"]) for n in range(500)))
    elapsed = time.monotonic() - started
    assert set(outcomes) == {SendOutcome.SENT}
    stamps.sort()
    busiest = max(sum(1 for s in stamps[i:] if s < first + 1.0) for i, first in enumerate(stamps))
    assert busiest <= limit
    assert elapsed < 500 / limit * 1.25 + 1.0, "the pacing stays close to the limit"


async def test_recipients_waiting_for_the_overall_limit_wake_one_at_a_time() -> None:
    """40 recipients queued behind the overall limit: each send wakes one of them, in the
    order they came (they used to wake together and mostly go back to sleep: 546 looks
    at the clock for 40 messages, now about 150)."""
    checks = 0

    def clock() -> float:
        nonlocal checks
        checks += 1
        return time.monotonic()

    transport = Recorder()
    outbound = Outbound(transport, RateLimits(overall_per_second=100), clock=clock)
    recipients = [f"r{n}" for n in range(40)]
    outcomes = await asyncio.gather(*(outbound.send(r, ["hello"]) for r in recipients))
    assert set(outcomes) == {SendOutcome.SENT}
    assert [r for r, _, _ in transport.sent] == recipients
    assert checks < 6 * len(recipients)


async def test_without_the_receivers_window_the_bucket_alone_spaces_sends() -> None:
    """Teams' pacing: one send every 1/rate seconds, however many are still unanswered."""
    paced = RateLimiter(RateLimits(overall_per_second=5, overall_burst=1, receiver_window=False))
    started = time.monotonic()
    for _ in range(6):  # never answered: a receiver's window of 5 would stop the sixth
        await asyncio.wait_for(paced.acquire("anyone"), 3)
    assert time.monotonic() - started >= 0.95  # five gaps of 0.2 s
    windowed = RateLimiter(RateLimits(overall_per_second=5, overall_burst=1))
    for _ in range(5):
        await windowed.acquire("anyone")
    try:
        await asyncio.wait_for(windowed.acquire("anyone"), 0.5)
    except TimeoutError:
        pass
    else:
        raise AssertionError("the receiver's window let a sixth unanswered send through")
