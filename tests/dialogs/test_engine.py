"""Engine guarantees: redelivered updates are no-ops, typed buttons, forged payloads."""

from __future__ import annotations

import asyncio
import gc

from sqlalchemy import func, select

from budgeting.models import ProcessedUpdate, Proposal
from budgeting.phases import Phase
from dialogs.engine import DialogEngine
from dialogs.types import Incoming


async def test_redelivered_update_is_a_no_op(seeded, engine: DialogEngine, sessions) -> None:
    await seeded(Phase.IDEAS)

    async def send(key: str, **kw) -> str:
        replies = await engine.handle(
            Incoming(channel="telegram", user_id="7", update_key=key, **kw)
        )
        return "\n".join(r.text for r in replies)

    await send("1", text="/start")
    await send("2", payload="lang:en")
    await send("3", text="/propose")
    await send("4", payload="pa:1")
    await send("5", text="Redelivered idea")
    await send("6", text="This description is long enough.")
    await send("7", text="1000")
    assert "submitted" in await send("8", payload="pc:ok")
    assert await send("8", payload="pc:ok") == ""  # Telegram retries the same update
    async with sessions() as session:
        ideas = await session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.title == "Redelivered idea")
        )
        keys = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert ideas == 1
    assert keys == 8


async def test_label_typing_is_case_insensitive_and_numbers_skip_text_steps(seeded, chat) -> None:
    await seeded(Phase.IDEAS)
    user = chat()
    await user.run(
        [
            ("/start", "language"),
            ("ENGLISH", "Language set to English."),
            ("/propose", "area"),
            ("säter TOWN", "short title"),
            ("1", "at least 3 characters"),  # a number is a title here, not the Cancel button
            ("cancel", "Cancelled."),
        ]
    )


async def test_one_participant_at_a_time_and_nothing_kept_per_participant(
    seeded, engine: DialogEngine
) -> None:
    """Messages of one person are handled in order, different people at once, and the
    engine keeps no per-person state in memory once they are handled."""
    await seeded(Phase.IDEAS)

    async def person(user: str) -> list[str]:
        texts = []
        for incoming in (
            Incoming("telegram", user, text="/start"),
            Incoming("telegram", user, payload="lang:en"),
            Incoming("telegram", user, text="/help"),
        ):
            texts.append("\n".join(r.text for r in await engine.handle(incoming)))
        return texts

    results = await asyncio.gather(*(person(f"u{n}") for n in range(50)))
    for texts in results:
        assert "Which language" in texts[0] and "Privacy" in texts[1] and "/vote" in texts[2]
    gc.collect()
    assert len(engine._locks) == 0
