"""Engine guarantees: redelivered updates are no-ops, typed buttons, forged payloads."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import event, func, select

from budgeting.models import Participant, ProcessedUpdate, Proposal
from budgeting.phases import Phase
from dialogs.context import Context
from dialogs.engine import DialogEngine
from dialogs.flows import all_routers
from dialogs.routing import FlowRouter
from dialogs.types import Incoming


async def test_redelivered_update_is_a_no_op(seeded, engine: DialogEngine, sessions) -> None:
    await seeded(Phase.IDEAS)

    async def send(key: str, **kw) -> str:
        replies = await engine.handle(
            Incoming(channel="telegram", user_id="7", update_key=key, **kw)
        )
        return "\n".join(r.text for r in replies)

    await send("1", text="/start")
    await send("2", payload="welcome:language:en")
    await send("3", text="/propose")
    await send("4", payload="propose:area:1")
    await send("5", text="Redelivered idea")
    await send("6", text="This description is long enough.")
    await send("7", text="1000")
    assert "submitted" in await send("8", payload="propose:submit")
    assert await send("8", payload="propose:submit") == ""  # Telegram retries the same update
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
            Incoming("telegram", user, payload="welcome:language:en"),
            Incoming("telegram", user, text="/help"),
        ):
            texts.append("\n".join(r.text for r in await engine.handle(incoming)))
        return texts

    results = await asyncio.gather(*(person(f"u{n}") for n in range(50)))
    for texts in results:
        assert "Which language" in texts[0] and "Privacy" in texts[1] and "/vote" in texts[2]
    assert not engine._busy and not engine._waiting and not engine._running


def commits_of(engine: DialogEngine) -> list[int]:
    """A list that grows by one at each COMMIT of the engine's database."""
    commits: list[int] = []
    bind = engine.sessions.kw["bind"]
    event.listen(bind.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


async def test_events_arriving_together_share_one_transaction(
    seeded, engine: DialogEngine, sessions
) -> None:
    await seeded(Phase.IDEAS)
    commits = commits_of(engine)
    replies = await asyncio.gather(
        *(
            engine.handle(Incoming("telegram", f"p{n}", text="/start", update_key=f"k{n}"))
            for n in range(30)
        )
    )
    assert all("Which language" in r[0].text for r in replies)
    assert len(commits) <= 3  # without batches: 30
    async with sessions() as session:
        keys = await session.scalars(select(ProcessedUpdate.update_key))
        assert sorted(keys) == sorted(f"k{n}" for n in range(30))


async def test_one_persons_events_sent_at_once_are_handled_in_order(
    seeded, engine: DialogEngine
) -> None:
    await seeded(Phase.IDEAS)
    commits = commits_of(engine)
    start, english, help_ = await asyncio.gather(
        engine.handle(Incoming("telegram", "9", text="/start")),
        engine.handle(Incoming("telegram", "9", payload="welcome:language:en")),
        engine.handle(Incoming("telegram", "9", text="/help")),
    )
    assert "Which language" in start[0].text
    assert "Language set to English." in english[0].text
    assert "/vote" in help_[0].text
    assert len(commits) == 3  # one event per person in a batch


async def test_a_failing_event_fails_alone_and_leaves_nothing(seeded, sessions, clock) -> None:
    """An event whose flow raises gets the error; the others of its batch are committed."""
    await seeded(Phase.IDEAS)
    broken = FlowRouter("broken")

    @broken.command("broken")
    async def broken_flow(ctx: Context, args: str) -> None:
        ctx.participant.display_name = "half done"
        raise RuntimeError("a bug in a flow")

    engine = DialogEngine(sessions, clock=clock, routers=[*all_routers(), broken])
    events = [Incoming("telegram", f"q{n}", text="/start", update_key=f"s{n}") for n in range(9)]
    events.insert(4, Incoming("telegram", "q-broken", text="/broken", update_key="s-broken"))
    results = await asyncio.gather(*(engine.handle(e) for e in events), return_exceptions=True)
    assert isinstance(results[4], RuntimeError)
    assert all("Which language" in r[0].text for i, r in enumerate(results) if i != 4)
    async with sessions() as session:
        keys = set(await session.scalars(select(ProcessedUpdate.update_key)))
        names = set(await session.scalars(select(Participant.display_name)))
    assert keys == {f"s{n}" for n in range(9)}  # Telegram delivers the failed one again
    assert "half done" not in names


async def test_a_batch_writes_its_dialog_states_at_once(seeded, engine: DialogEngine) -> None:
    """30 people's turns in a batch: their dialog states are written by one statement per
    batch (an INSERT for newcomers, an UPDATE for the others), not one per turn."""
    await seeded(Phase.IDEAS)
    writes: list[str] = []
    bind = engine.sessions.kw["bind"]

    def note(_conn, _cursor, statement: str, *_args) -> None:
        if "conversation_states" in statement and not statement.lstrip().startswith("SELECT"):
            writes.append(statement.split()[0])

    event.listen(bind.sync_engine, "before_cursor_execute", note)
    people = [f"w{n}" for n in range(30)]

    async def everyone(make) -> list[str]:
        replies = await asyncio.gather(*(engine.handle(make(p)) for p in people))
        return [r[0].text for r in replies]

    assert all(
        "Which language" in t
        for t in await everyone(lambda p: Incoming("telegram", p, text="/start"))
    )
    inserts = writes.count("INSERT")
    assert 1 <= inserts <= 3 and set(writes) == {"INSERT"}
    writes.clear()
    english = await everyone(lambda p: Incoming("telegram", p, payload="welcome:language:en"))
    assert all("Language set to English." in t for t in english)
    assert 1 <= len(writes) <= 3 and set(writes) == {"UPDATE"}
    proposing = await everyone(lambda p: Incoming("telegram", p, text="/propose"))
    assert all("area" in t for t in proposing)  # each state was kept: English, and the step
    cancelled = await everyone(lambda p: Incoming("telegram", p, text="Cancel"))
    assert all("Cancelled." in t for t in cancelled)


async def test_a_batch_sees_what_an_earlier_turn_of_it_wrote(seeded, chat, engine) -> None:
    """Turns of one batch share reads (the comment counts of an area) until one writes."""
    await seeded(Phase.VOTING)
    writer, early, late = chat("cw"), chat("c1"), chat("c2")
    for person in (writer, early, late):
        await person.run([("/start", "language"), ("English", "Language set to English.")])
    await writer.run(  # chosen before: the comment is published at once
        [
            ("/settings", "[Public name]"),
            ("Public name", "[Choose my own name]"),
            ("Choose my own name", "Write the name"),
            ("Cecilia W", "Public name: Cecilia W"),
        ]
    )
    await writer.send("/browse")
    area = writer.payload_of("Gustavsbo")
    await writer.send(payload=area)
    first = writer.payload_of("#")
    await writer.send(payload=first)
    await writer.send(payload=writer.payload_of("Write a comment"))
    before, comment, after = await asyncio.gather(
        early.send(payload=area),
        writer.send("Good idea, I use that path every day."),
        late.send(payload=area),
    )
    assert "published" in comment
    number = first.split(":")[2]
    count = re.compile(rf"#{number} .* — (\d+) comments?")
    assert int(count.search(after)[1]) == int(count.search(before)[1]) + 1
