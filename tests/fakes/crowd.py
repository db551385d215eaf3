"""Many residents on Telegram and ``budgetbot serve`` as a real process, for broadcasts.

Shared by the crash test and ``bench/broadcast.py``: the residents exist in the
database (as if each had pressed /start) and in the fake Bot API (their chats), and
the fake's record of what arrived is the judge of who got how many copies.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select

from bot.channels.telegram.channel import SECRET_HEADER, WEBHOOK_PATH
from budgeting.db import create_engine, session_factory
from budgeting.migrate import upgrade_async
from budgeting.models import (
    ChannelIdentity,
    Delivery,
    Notification,
    NotificationKind,
    Participant,
    Round,
    utcnow,
)
from budgeting.phases import Phase
from budgeting.services.notifications import enqueue
from tests.builders import rounds_in_phase
from tests.fakes.process import BUDGETBOT, free_port
from tests.fakes.telegram_bot_api import TOKEN, FakeBotAPI
from tests.rounds import TOWN, WORKPLACE

FIRST_CHAT = 50_000_000
LANGUAGES = ("sv", "en", "ar")
TEXTS = {
    "sv": "Medborgardialog i kväll kl. 18 i biblioteket. [{marker}]",
    "en": "Residents' meeting tonight at 6 pm in the library. [{marker}]",
    "ar": "لقاء السكان الليلة الساعة 6 مساءً في المكتبة. [{marker}]",
}


async def wait_for(
    predicate: Callable[[], bool], seconds: float = 30.0, every: float = 0.1
) -> None:
    """Poll until ``predicate`` holds (what another process causes); TimeoutError if not."""
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - polls what another process caused
            await asyncio.sleep(every)


WEBHOOK_SECRET = "the-webhook-secret-of-a-test"
WEBHOOK_SETTINGS = {
    "telegram_webhook_url": "https://budgetbot.example.org/telegram/webhook",
    "telegram_webhook_secret": WEBHOOK_SECRET,
}
"""``serve_env`` settings for webhook mode (the residents post to the webhook)."""
MESSAGE_CALLS = ("sendMessage", "sendPhoto", "editMessageText")


POST_TIMEOUT = aiohttp.ClientTimeout(total=30)
"""How long a webhook post may take before it is given up and posted again (Telegram
waits some tens of seconds)."""


class WebhookResidents:
    """Residents whose Telegram updates are posted to the webhook of one or more ``serve``
    processes, as Telegram does: again and again until answered 200."""

    def __init__(self, fake: FakeBotAPI, urls: list[str]) -> None:
        self.fake = fake
        self.urls = [url + WEBHOOK_PATH for url in urls]
        self.posted: Counter[str] = Counter()

    def replies_in(self, chat: int) -> int:
        """Messages the bot has sent (or edited) in the chat so far."""
        return sum(
            1 for c in self.fake.calls if c.ok and c.method in MESSAGE_CALLS and c.chat_id == chat
        )

    async def post(self, http: aiohttp.ClientSession, update: dict[str, Any], to: int = 0) -> None:
        """Post to worker ``to`` until answered 200 (it may be down or restarting)."""
        pause = 0.1
        while True:
            self.posted["attempts"] += 1
            try:
                headers = {SECRET_HEADER: WEBHOOK_SECRET}
                async with http.post(
                    self.urls[to], json=update, headers=headers, timeout=POST_TIMEOUT
                ) as response:
                    if response.status == 200:
                        if await response.read():  # a method in the answer: Telegram calls it
                            await self.fake.webhook_reply(await response.json(content_type=None))
                        return
            except (aiohttp.ClientError, TimeoutError):  # Telegram, too, gives up and retries
                pass
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def step(
        self, http: aiohttp.ClientSession, chat: int, update: dict[str, Any], to: int = 0
    ) -> None:
        """One update, then wait for the bot's reply (from whichever process sends it)."""
        before = self.replies_in(chat)
        await self.post(http, update, to)
        while self.replies_in(chat) <= before:  # noqa: ASYNC110 - another process answers
            await asyncio.sleep(0.05)

    def button(self, chat: int, start: str) -> tuple[dict[str, Any], str]:
        """The newest bot message with a button whose payload begins so, and its label."""
        for message in reversed(self.fake.bot_messages(chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in itertools.chain.from_iterable(rows):
                if button.get("callback_data", "").startswith(start):
                    return message, button["text"]
        raise AssertionError(f"no button {start!r} in chat {chat}")


def serve_env(database_url: str, api_url: str, **settings: str) -> dict[str, str]:
    """The environment of a ``budgetbot serve`` on this database and fake Bot API."""
    env = {
        **os.environ,
        "BUDGETBOT_DATABASE_URL": database_url,
        "BUDGETBOT_TELEGRAM_TOKEN": TOKEN,
        "BUDGETBOT_TELEGRAM_API_URL": api_url,
        "BUDGETBOT_PORT": str(free_port()),
        "BUDGETBOT_SECRET_KEY": "the same key for every worker of a test",
    }
    env.update({f"BUDGETBOT_{name.upper()}": value for name, value in settings.items()})
    return env


async def build_rounds(database_url: str, phase: Phase = Phase.REVIEW) -> None:
    """Migrate the database and build TOWN and WORKPLACE in ``phase`` (before a serve starts)."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await rounds_in_phase(session, utcnow(), phase, TOWN, WORKPLACE)
    finally:
        await engine.dispose()


async def seed_demo(env: Mapping[str, str], phase: str = "review") -> None:
    """``budgetbot seed-demo`` in a child process (the benches seed the demo)."""
    seeded = await asyncio.create_subprocess_exec(
        BUDGETBOT, "seed-demo", "--phase", phase, env=dict(env), stdout=subprocess.DEVNULL
    )
    assert await seeded.wait() == 0


async def start_serve(
    env: Mapping[str, str], log: str | os.PathLike[str] | None = None
) -> asyncio.subprocess.Process:
    """``budgetbot serve`` in a child process (its output goes to ``log``, or is discarded)."""
    if log is None:
        return await asyncio.create_subprocess_exec(
            BUDGETBOT, "serve", env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with open(log, "ab") as output:  # noqa: ASYNC230 - the child keeps its own copy of it
        return await asyncio.create_subprocess_exec(
            BUDGETBOT, "serve", env=dict(env), stdout=output, stderr=output
        )


async def stop_serve(server: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL if it does not stop within 20 s."""
    if server.returncode is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(20):
            await server.wait()
    except TimeoutError:
        server.kill()
        await server.wait()


async def seed_crowd(database_url: str, fake: FakeBotAPI, count: int) -> list[int]:
    """``count`` residents of the residents' round, each with a Telegram chat in the
    fake, languages in turn sv/en/ar, no quiet hours (the test may run at night);
    returns their chat ids."""
    chats = [FIRST_CHAT + i for i in range(count)]
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            round_id = await session.scalar(select(Round.id).where(Round.audience == "residents"))
            rows = [
                {
                    "display_name": f"Resident {i}",
                    "locale": LANGUAGES[i % 3],
                    "round_id": round_id,
                    "opt_outs": [],
                    "quiet_start": "00:00",
                    "quiet_end": "00:00",
                }
                for i in range(count)
            ]
            ids = list(await session.scalars(insert(Participant).returning(Participant.id), rows))
            await session.execute(
                insert(ChannelIdentity),
                [
                    {"participant_id": pid, "channel": "telegram", "external_id": str(chat)}
                    for pid, chat in zip(ids, chats, strict=True)
                ],
            )
    finally:
        await engine.dispose()
    for i, chat in enumerate(chats):
        fake.user(chat, f"Resident {i}", language_code=LANGUAGES[i % 3])
    return chats


async def enqueue_broadcast(database_url: str, marker: str) -> int:
    """A staff broadcast to the residents' round; returns the notification id."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            round_id = await session.scalar(select(Round.id).where(Round.audience == "residents"))
            notification = await enqueue(
                session,
                NotificationKind.BROADCAST,
                round_id=round_id,
                payload={"texts": {lang: t.format(marker=marker) for lang, t in TEXTS.items()}},
            )
            return notification.id
    finally:
        await engine.dispose()


async def outbox_state(database_url: str, notification_id: int) -> tuple[str, int]:
    """The notification's status and how many deliveries it has recorded."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            status = await session.scalar(
                select(Notification.status).where(Notification.id == notification_id)
            )
            recorded = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.notification_id == notification_id)
            )
            return str(status), int(recorded or 0)
    finally:
        await engine.dispose()


async def wait_done(database_url: str, notification_id: int, seconds: float = 30.0) -> None:
    """Wait until the outbox says the notification is done; TimeoutError if it does not."""
    async with asyncio.timeout(seconds):
        while (await outbox_state(database_url, notification_id))[0] != "done":  # noqa: ASYNC110
            await asyncio.sleep(0.2)


def copies(fake: FakeBotAPI, marker: str) -> Counter[int]:
    """How many copies of the broadcast each chat received (accepted sends only)."""
    return Counter(
        call.chat_id
        for call in fake.calls
        if call.ok and call.method == "sendMessage" and marker in call.text
    )


def refused(fake: FakeBotAPI) -> int:
    """How many sends the fake refused with 429 Too Many Requests."""
    return sum(1 for call in fake.calls if call.status == 429)
