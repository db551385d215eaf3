"""Routing: an engine runs the flows of the routers it is given, and nothing else."""

from __future__ import annotations

from enum import StrEnum

import pytest

from budgeting.i18n import LANGUAGES
from budgeting.models import NotificationKind
from dialogs.context import Context
from dialogs.engine import DialogEngine
from dialogs.flows import all_routers
from dialogs.flows.about import SECTIONS
from dialogs.menu import COMMAND_HELP
from dialogs.routing import PAYLOAD_LIMIT, FlowRouter, Routes
from dialogs.states import CommentStep, ConfirmStep, Flow, ProposeStep, SurveyStep, VoteStep
from dialogs.types import Button, Incoming, Reply
from dialogs.wording import stale_button


class CounterStep(StrEnum):
    NAME = "name"


def counter_router() -> FlowRouter:
    """A plain flow: /count starts it, a button adds, the next text or photo answers."""
    router = FlowRouter("counter")

    @router.command("count")
    async def count(ctx: Context, args: str) -> None:
        ctx.goto("counter", CounterStep.NAME, n=int(args or 0))
        ctx.say(f"Counting from {args or 0}. Your name?", [Button("Add", router.payload("add", 1))])

    @router.action("add")
    async def add(ctx: Context, args: list[str]) -> None:
        if not ctx.in_step("counter", CounterStep.NAME):
            stale_button(ctx)
            return
        ctx.update(n=ctx.state.data["n"] + int(args[0]))
        ctx.say(f"n = {ctx.state.data['n']}", [Button("Add", router.payload("add", 1))])

    @router.step(CounterStep.NAME)
    async def name(ctx: Context, text: str) -> None:
        ctx.clear()
        ctx.say(f"Hello {text}, n = {ctx.state.data.get('n', 'gone')}")

    @router.photo_step(CounterStep.NAME)
    async def photo(ctx: Context, photo: str) -> None:
        ctx.say(f"A photo: {photo}")

    return router


def said(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


async def test_an_engine_runs_the_commands_actions_and_steps_of_its_routers(sessions) -> None:
    engine = DialogEngine(sessions, routers=[counter_router()])

    async def send(**event: str) -> list[Reply]:
        return await engine.handle(Incoming("console", "counter-1", locale_hint="en", **event))

    started = await send(text="/count 5")
    assert said(started) == "Counting from 5. Your name?"
    add = started[0].buttons[0][0].payload
    assert add == "counter:add:1"
    assert said(await send(payload=add)) == "n = 6"
    assert said(await send(text="add")) == "n = 7"  # a typed label presses the button
    assert said(await send(photo="photo-1")) == "A photo: photo-1"
    assert said(await send(text="Ada")) == "Hello Ada, n = gone"
    for stale in (add, "counter:nothing", "vote:pick:1", "vp:12"):  # the flow is left
        assert "no longer active" in said(await send(payload=stale)), stale
    assert "I do not know the command /vote" in said(await send(text="/vote"))

    every_flow = DialogEngine(sessions)  # a second engine: its own routes, not the counter
    replies = await every_flow.handle(
        Incoming("console", "counter-2", text="/count", locale_hint="en")
    )
    assert "I do not know the command /count" in said(replies)
    assert "count" not in every_flow.routes.commands and "vote" in every_flow.routes.commands


def test_two_routers_cannot_claim_the_same_command() -> None:
    with pytest.raises(ValueError, match="routed twice"):
        Routes([counter_router(), counter_router()])


def test_payloads_are_checked_where_buttons_are_built() -> None:
    router = counter_router()
    with pytest.raises(LookupError):
        router.payload("ad", 1)  # a typo would give a dead button
    with pytest.raises(ValueError, match="64 bytes"):
        router.payload("add", "9" * 60)
    with pytest.raises(ValueError):
        router.action("add:more")


def test_every_payload_a_flow_can_build_fits_in_64_bytes() -> None:
    """Button arguments are ids below 2**31, kinds of message, languages or /about sections."""
    arguments = [str(2**31 - 1), *NotificationKind, *LANGUAGES, *SECTIONS]
    longest = max(arguments, key=lambda argument: len(argument.encode()))
    for router in all_routers():
        for action in router.actions:
            assert len(router.payload(action, longest).encode()) <= PAYLOAD_LIMIT


def test_command_payloads_and_notification_buttons_reach_a_handler() -> None:
    routes = Routes(all_routers())
    assert {name for name, _description in COMMAND_HELP} <= set(routes.commands)
    assert {"menu", "propose", "vote", "results", "ideas", "survey"} <= set(routes.commands)
    assert routes.action("browse:open:12") is not None  # dialogs/notifications.py
    assert routes.action("vp:12") is None
    assert routes.action("vote:pick:" + "1" * 60) is None


def test_stored_flow_and_step_names_keep_their_values() -> None:
    """Dialog states in databases hold these strings; plain strings still find the steps."""
    assert {"comment", "forget", "propose", "survey", "vote", "welcome", "withdraw"} <= set(Flow)
    assert list(VoteStep) == ["code", "area", "rank", "choose", "spread", "points", "review"]
    assert list(ProposeStep) == [
        "area",
        "title",
        "description",
        "cost",
        "photo",
        "confirm",
        "similar",
    ]
    assert list(SurveyStep) == ["scale", "comment"]
    assert list(CommentStep) == ["text", "offer", "signature", "name"]
    assert list(ConfirmStep) == ["confirm"]
    routes = Routes(all_routers())
    assert routes.text_step("propose", "title") is not None
    assert routes.text_step("comment", "text") is not None
    assert routes.text_step("comment", "name") is not None
    assert routes.text_step("public_name", "name") is not None
    assert routes.photo_step("propose", "photo") is not None
    assert routes.text_step("vote", "rank") is None  # buttons only
