"""200 residents vote through the webhook; ``budgetbot serve`` is killed mid-surge.

Telegram's side is the fake Bot API, in this process; the residents post their updates
to the webhook of a real ``budgetbot serve`` and, as Telegram does, post an update again
until it is answered 200. Each resident waits for the bot's reply before the next step,
so a receipt that never comes stops them. After the SIGKILL a fresh process is started
on the same database; what the killed one had stored but not sent, it sends once the
lease has run out.

Every voter whose ballot is stored gets the message with their receipt code at least
once; at most ``BUDGETBOT_OUTBOX_CONCURRENCY`` messages (sent, but not yet recorded when
the process died) go out twice; no ballot is lost or duplicated.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
from sqlalchemy import func, select

from budgeting.db import create_engine, session_factory
from budgeting.models import Ballot, ChannelIdentity, OutgoingReply
from budgeting.phases import Phase
from tests.fakes.crowd import (
    MESSAGE_CALLS,
    WEBHOOK_SETTINGS,
    WebhookResidents,
    build_rounds,
    seed_crowd,
    serve_env,
    start_serve,
    stop_serve,
)
from tests.fakes.telegram_bot_api import FakeBotAPI, Limits, Window

VOTERS = 200
CONCURRENCY = 10
RATE = 500
"""Messages a second, for the fake's limit and our sender alike (Telegram's is 30)."""
STEPS = ["vote:area:", "vote:pick:", "vote:pick:", "vote:pick:", "vote:confirm"]
"""After /vote, the buttons each voter presses (the first one offered with this start)."""
STAGGER = 0.015
"""Seconds between voters' starts: voters move in step, so without it every ballot is
stored in one burst at the end and a kill "mid-surge" can come after the last one."""


class Voters(WebhookResidents):
    """The residents, posting to whichever ``serve`` is up."""

    async def vote(self, http: aiohttp.ClientSession, chat: int, delay: float = 0) -> None:
        await asyncio.sleep(delay)
        user = self.fake.users[chat]
        await self.step(http, chat, self.fake.message_update(user, text="/vote"))
        for start in STEPS:
            message, label = self.button(chat, start)
            await self.step(http, chat, self.fake.button_update(user, dict(message), label))


async def ballots_reach(database_url: str, count: int) -> None:
    """Return as soon as ``count`` ballots are stored (one connection, polled quickly)."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            while True:
                n = await session.scalar(select(func.count()).select_from(Ballot))
                await session.rollback()  # a fresh snapshot next time
                if n >= count:
                    return
                await asyncio.sleep(0.005)
    finally:
        await engine.dispose()


async def stored(database_url: str) -> tuple[dict[int, str], int]:
    """Each chat's receipt code (ballots stored), and how many turns' replies wait."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(ChannelIdentity.external_id, Ballot.receipt_code)
                .join(Ballot, Ballot.participant_id == ChannelIdentity.participant_id)
                .where(ChannelIdentity.channel == "telegram")
            )
            codes: dict[int, str] = {}
            for chat, code in rows:
                assert int(chat) not in codes, "one ballot per voter"
                codes[int(chat)] = code
            waiting = await session.scalar(select(func.count()).select_from(OutgoingReply))
            return codes, int(waiting or 0)
    finally:
        await engine.dispose()


async def test_voters_get_their_receipts_though_serve_is_killed_mid_surge(database_url, tmp_path):
    url = database_url
    fake = FakeBotAPI(limits=Limits(overall=Window(RATE, 1.0)))
    env = serve_env(
        url,
        await fake.start(),
        **WEBHOOK_SETTINGS,
        telegram_messages_per_second=str(RATE),
        outbox_concurrency=str(CONCURRENCY),
        reply_lease_seconds="2",
    )
    voters = Voters(fake, [f"http://127.0.0.1:{env['BUDGETBOT_PORT']}"])
    servers = []
    try:
        await build_rounds(url, Phase.VOTING)
        chats = await seed_crowd(url, fake, VOTERS)
        servers.append(await start_serve(env, tmp_path / "serve.log"))
        async with aiohttp.ClientSession() as http:
            voting = asyncio.gather(
                *(voters.vote(http, chat, i * STAGGER) for i, chat in enumerate(chats))
            )
            await ballots_reach(url, VOTERS // 3)
            servers[0].kill()
            await servers[0].wait()
            at_kill, waiting = await stored(url)
            receipts_then = sum(1 for chat, code in at_kill.items() if got(fake, chat, code))
            killed_at = time.monotonic()
            servers.append(await start_serve(env, tmp_path / "serve.log"))
            try:
                async with asyncio.timeout(240):
                    await voting
            except TimeoutError:
                raise AssertionError((tmp_path / "serve.log").read_text()[-3000:]) from None
            finished_in = time.monotonic() - killed_at
        await asyncio.sleep(1.5)  # later rounds of the outbox must not send anything again
        codes, left = await stored(url)
    finally:
        for server in servers:
            await stop_serve(server)
        await fake.stop()

    assert VOTERS // 3 <= len(at_kill) < VOTERS, "the kill came mid-surge"
    assert waiting > 0 and receipts_then < len(at_kill), "some receipts were still to be sent"
    assert sorted(codes) == sorted(chats), "every ballot stored, once"
    receipts = {chat: got(fake, chat, code) for chat, code in codes.items()}
    assert all(n >= 1 for n in receipts.values()), "every voter got their receipt"
    twice = [chat for chat, n in receipts.items() if n > 1]
    assert len(twice) <= CONCURRENCY
    assert left == 0
    print(
        f"\n{len(at_kill)} ballots stored at the kill, {receipts_then} receipts sent by then, "
        f"{waiting} turns' replies waiting; {len(twice)} receipts sent twice (window "
        f"{CONCURRENCY}); {voters.posted['attempts']} webhook posts; everyone done "
        f"{finished_in:.1f} s after the kill"
    )


def got(fake: FakeBotAPI, chat: int, code: str) -> int:
    """How many messages with this receipt code reached the chat."""
    return sum(
        1
        for c in fake.calls
        if c.ok and c.method in MESSAGE_CALLS and c.chat_id == chat and code in c.text
    )
