"""Two ``budgetbot serve`` processes on one database share staff sessions: a login on one
works on the other, and a logout on either ends it on both (nothing kept per process)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import httpx

from tests.fakes.crowd import stop_serve
from tests.fakes.process import BUDGETBOT, free_port
from tests.web_admin.harness import ADMIN, Browser

SECRET = "the same key for every worker of a test"


def worker_env(database_url: str) -> dict[str, str]:
    """A staff-only ``serve`` (no channel configured) on this database and a port of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETBOT_")}
    env.update(
        BUDGETBOT_DATABASE_URL=database_url,
        BUDGETBOT_PORT=str(free_port()),
        BUDGETBOT_SECRET_KEY=SECRET,
    )
    return env


async def add_admin(env: dict[str, str], cwd: Path) -> None:
    """``budgetbot user add`` with the password on stdin."""
    process = await asyncio.create_subprocess_exec(
        BUDGETBOT, "user", "add", ADMIN[0], "--role", "admin",
        env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    await process.communicate(f"{ADMIN[1]}\n".encode())
    assert process.returncode == 0


async def start_worker(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    """``budgetbot serve`` in a child process, once its health check answers; and its URL."""
    log = cwd / f"serve-{env['BUDGETBOT_PORT']}.log"
    with log.open("wb") as output:  # the child keeps its own copy of the file
        server = await asyncio.create_subprocess_exec(
            BUDGETBOT, "serve", env=env, cwd=cwd, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{env['BUDGETBOT_PORT']}"
    async with httpx.AsyncClient() as client:
        async with asyncio.timeout(60):
            while True:
                assert server.returncode is None, log.read_text()
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        return server, url
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)


async def test_a_staff_session_works_and_ends_on_every_worker(
    database_url: str, tmp_path: Path
) -> None:
    env = [worker_env(database_url), worker_env(database_url)]
    await add_admin(env[0], tmp_path)
    one, url_one = await start_worker(env[0], tmp_path)
    try:
        two, url_two = await start_worker(env[1], tmp_path)
    except BaseException:
        await stop_serve(one)
        raise
    try:
        async with httpx.AsyncClient() as client:  # cookies ignore ports: one jar for both
            staff = Browser(client)
            # the login form from worker 2, posted to worker 1
            await staff.get(f"{url_two}/admin/login?lang=en")
            response = await staff.post(
                f"{url_one}/admin/login", {"email": ADMIN[0], "password": ADMIN[1]}
            )
            assert response.status_code == 303, response.text
            assert (await staff.get(f"{url_one}/admin/")).status_code == 200
            page = await staff.get(f"{url_two}/admin/account")
            assert page.status_code == 200 and ADMIN[0] in page.text
            # a CSRF-protected change on worker 2, with the token worker 1 showed
            response = await staff.post(
                f"{url_two}/admin/users",
                {"email": "colleague@sater.example", "password": "a colleague's password"},
            )
            assert response.headers["location"] == "/admin/users"
            assert "colleague@sater.example" in (await staff.get(f"{url_one}/admin/users")).text
            copy = httpx.Cookies()
            copy.set("budgetbot_session", client.cookies["budgetbot_session"], path="/admin")
            # logged out on worker 2: refused on worker 1, even for a copy of the cookie
            response = await staff.post(f"{url_two}/admin/logout")
            assert response.headers["location"] == "/admin/login"
            response = await staff.get(f"{url_one}/admin/")
            assert response.status_code == 303
            async with httpx.AsyncClient(cookies=copy) as thief:
                response = await thief.get(f"{url_one}/admin/users")
            assert response.status_code == 303
            assert response.headers["location"].startswith("/admin/login")
    finally:
        await asyncio.gather(stop_serve(one), stop_serve(two))
