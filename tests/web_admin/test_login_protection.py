"""Login abuse, through HTTP on both databases: waits instead of lockouts, the same answers
for unknown accounts, X-Forwarded-For only from trusted proxies, waits kept in the database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import LoginFailure, Round, utcnow
from tests.web_admin.harness import ADMIN, Browser, audit_actions
from web_admin.app import create_app
from web_admin.login_delays import POLICIES, Kind

OWNER_ADDRESS = "198.51.100.7"
UNKNOWN = "nobody@sater.example"
ACCOUNT_CAP = POLICIES[Kind.ACCOUNT].cap
CLIENT = POLICIES[Kind.CLIENT]


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client_at(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., Browser]]:
    """Browsers reaching an app (by default one shared app) from a given TCP peer address."""
    apps: dict[tuple[str, ...], FastAPI] = {}
    clients: list[httpx.AsyncClient] = []

    def make(peer: str, trusted: tuple[str, ...] = (), app: FastAPI | None = None) -> Browser:
        if app is None:
            app = apps.get(trusted)
            if app is None:
                app = apps[trusted] = new_app(sessions, tmp_path, clock, trusted)
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return Browser(client)

    yield make
    for client in clients:
        await client.aclose()


def new_app(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    clock: Clock,
    trusted: tuple[str, ...] = (),
) -> FastAPI:
    return create_app(
        sessions,
        secret_key="test secret key",
        media_dir=tmp_path / "media",
        clock=clock,
        trusted_proxies=trusted,
    )


async def try_login(
    browser: Browser, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    await browser.get("/admin/login?lang=en")
    return await browser.post(
        "/admin/login", {"email": email, "password": password}, headers=headers or {}
    )


def seconds_to_wait(response: httpx.Response) -> int:
    assert response.status_code == 429
    return int(response.headers["retry-after"])


async def test_strangers_cannot_lock_the_owner_out(
    town: Round, client_at: Callable[..., Browser], clock: Clock
) -> None:
    owner = client_at(OWNER_ADDRESS)
    assert (await try_login(owner, *ADMIN)).status_code == 303  # the browser is now known
    for n in range(30):  # a botnet: each address guesses once, as soon as it may
        stranger = client_at(f"203.0.113.{n + 1}")
        response = await try_login(stranger, ADMIN[0], f"guess {n}")
        assert response.status_code in (401, 429)
        if response.status_code == 429:
            assert seconds_to_wait(response) <= ACCOUNT_CAP.total_seconds()
            clock.advance(timedelta(seconds=seconds_to_wait(response)))
            response = await try_login(stranger, ADMIN[0], f"guess {n}")
            assert response.status_code == 401
    # right after a stranger's failure the account's wait runs (at most 30 s) ...
    newcomer = client_at(OWNER_ADDRESS)
    response = await try_login(newcomer, *ADMIN)
    assert 1 <= seconds_to_wait(response) <= ACCOUNT_CAP.total_seconds()
    assert "Wait" in response.text and "second" in response.text
    # ... yet the browser that logged in before gets in at once,
    response = await try_login(owner, *ADMIN)
    assert response.status_code == 303
    assert (await owner.get("/admin/")).status_code == 200
    # and a new browser of the owner's after the short wait: never a lockout.
    clock.advance(ACCOUNT_CAP)
    assert (await try_login(newcomer, *ADMIN)).status_code == 303
    assert (await newcomer.get("/admin/")).status_code == 200


async def test_one_address_guessing_is_slowed_down_more_and_more(
    town: Round, client_at: Callable[..., Browser], clock: Clock
) -> None:
    attacker = client_at("203.0.113.66")
    waits = []
    for n in range(12):  # a different account each time: only the address's wait grows
        response = await try_login(attacker, f"person{n}@sater.example", "wrong password")
        if response.status_code == 429:
            waits.append(seconds_to_wait(response))
            clock.advance(timedelta(seconds=waits[-1]))
            response = await try_login(attacker, f"person{n}@sater.example", "wrong password")
        assert response.status_code == 401
    assert waits == [2, 4, 8, 16, 32, 64, 128]
    hammering = [await try_login(attacker, UNKNOWN, "x") for _ in range(5)]
    assert [seconds_to_wait(r) for r in hammering] == [256] * 5  # waiting is not counted
    assert (await try_login(client_at(OWNER_ADDRESS), *ADMIN)).status_code == 303


async def test_unknown_and_known_accounts_get_the_same_answers(
    town: Round,
    client_at: Callable[..., Browser],
    clock: Clock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    known, unknown = client_at("192.0.2.10"), client_at("192.0.2.20")
    answers: dict[str, list[tuple[int, str | None, str]]] = {ADMIN[0]: [], UNKNOWN: []}
    for step in range(8):
        for browser, email in ((known, ADMIN[0]), (unknown, UNKNOWN)):
            response = await try_login(browser, email, "not the password")
            body = re.sub(r'value="[^"]*"', 'value=""', response.text)  # CSRF token, e-mail
            answers[email].append((response.status_code, response.headers.get("retry-after"), body))
        if step == 5:
            clock.advance(timedelta(seconds=2))
    assert answers[ADMIN[0]] == answers[UNKNOWN]
    statuses = [status for status, _, _ in answers[UNKNOWN]]
    assert statuses[:3] == [401] * 3 and 429 in statuses
    actions = await audit_actions(sessions)
    assert actions.count("login.failed") == statuses.count(401)  # waits are not logged
    async with sessions() as session:
        rows = (await session.scalars(select(LoginFailure))).all()
    assert {row.kind for row in rows} == {"account", "client"}
    stored = " ".join(f"{row.kind} {row.key}" for row in rows)
    for clear in ("nobody", "sater", "admin", "192.0.2"):
        assert clear not in stored  # only keyed hashes of e-mail and address


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    town: Round, client_at: Callable[..., Browser]
) -> None:
    proxies = ("10.0.0.0/8",)
    direct = client_at("203.0.113.9", proxies)  # writes any X-Forwarded-For it likes
    for n in range(CLIENT.free):
        spoof = {"X-Forwarded-For": f"198.51.100.{n + 100}"}
        response = await try_login(direct, f"p{n}@sater.example", "wrong", spoof)
        assert response.status_code == 401
    response = await try_login(direct, UNKNOWN, "wrong", {"X-Forwarded-For": "198.51.100.250"})
    assert response.status_code == 429  # every guess counted against the real peer

    through_proxy = client_at("10.0.0.2", proxies)
    first = {"X-Forwarded-For": "192.0.2.1, 198.51.100.1"}  # the client wrote the first one
    for n in range(CLIENT.free):
        response = await try_login(through_proxy, f"q{n}@sater.example", "wrong", first)
        assert response.status_code == 401
    response = await try_login(through_proxy, UNKNOWN, "wrong", first)
    assert response.status_code == 429  # 198.51.100.1, as the proxy saw it, waits
    other = {"X-Forwarded-For": "192.0.2.1, 198.51.100.2"}
    response = await try_login(through_proxy, "r@sater.example", "wrong", other)
    assert response.status_code == 401  # another client behind the same proxy does not


async def test_waits_are_kept_over_a_restart(
    town: Round,
    client_at: Callable[..., Browser],
    clock: Clock,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    attacker = client_at("203.0.113.77")
    for n in range(CLIENT.free):
        assert (await try_login(attacker, f"p{n}@sater.example", "wrong")).status_code == 401
    assert seconds_to_wait(await try_login(attacker, UNKNOWN, "wrong")) == 2
    restarted = new_app(sessions, tmp_path, clock)  # a new process on the same database
    again = client_at("203.0.113.77", app=restarted)
    assert seconds_to_wait(await try_login(again, UNKNOWN, "wrong")) == 2
    clock.advance(timedelta(seconds=2))
    assert (await try_login(again, UNKNOWN, "wrong")).status_code == 401
    assert seconds_to_wait(await try_login(again, UNKNOWN, "wrong")) == 4


async def test_simultaneous_guesses_cannot_slip_past_the_wait(
    town: Round, client_at: Callable[..., Browser]
) -> None:
    guessers = [client_at(f"203.0.113.{n + 1}") for n in range(20)]
    responses = await asyncio.gather(
        *(try_login(g, ADMIN[0], f"guess {n}") for n, g in enumerate(guessers))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * POLICIES[Kind.ACCOUNT].free + [429] * (
        20 - POLICIES[Kind.ACCOUNT].free
    )
