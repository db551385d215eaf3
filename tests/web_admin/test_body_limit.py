"""Bodies over their route's limit are refused (413) before anything parses them, logged in
or not: a declared length over the limit is not read at all, a chunked body only up to the
limit (far below the 1 MB at which the multipart parser spools to disk)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budgeting.models import Proposal, ProposalStatus, Round
from tests.web_admin.harness import MODERATOR, Browser
from web_admin.body_limit import PHOTO_FORM_BYTES, STAFF_FORM_BYTES
from web_admin.media import MAX_PHOTO_BYTES

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""HTTP framing: the same on any database."""
MB = 1024 * 1024
BOUNDARY = "limit-test-boundary"


class Upload:
    """A multipart body of ``size`` bytes, streamed in chunks; counts what was read of it."""

    def __init__(self, size: int, chunk: int = 16 * 1024) -> None:
        self.size, self.chunk, self.sent = size, chunk, 0

    async def stream(self) -> AsyncIterator[bytes]:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        padding = self.size - len(head) - len(tail)
        for block in (
            head,
            *[b"x" * self.chunk] * (padding // self.chunk),
            b"x" * (padding % self.chunk),
            tail,
        ):
            self.sent += len(block)
            yield block


HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_a_20_mb_login_post_is_refused_unread(browser: Callable[[], Browser]) -> None:
    stranger = browser()
    upload = Upload(20 * MB)
    headers = {**HEADERS, "Content-Length": str(upload.size)}
    response = await stranger.client.post("/admin/login", content=upload.stream(), headers=headers)
    assert response.status_code == 413
    assert upload.sent == 0  # the app never read a byte of it


async def test_a_chunked_body_stops_at_the_limit(browser: Callable[[], Browser]) -> None:
    stranger = browser()
    upload = Upload(20 * MB)
    response = await stranger.client.post("/admin/login", content=upload.stream(), headers=HEADERS)
    assert response.request.headers.get("content-length") is None
    assert response.status_code == 413
    assert upload.sent <= STAFF_FORM_BYTES + 2 * upload.chunk  # read no further


async def test_a_normal_login_and_a_form_just_over_the_limit(
    town: Round, browser: Callable[[], Browser]
) -> None:
    moderator = browser()
    logged_in = await moderator.login(*MODERATOR)
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/admin/")
    big_form = {"csrf_token": moderator.csrf, "email": "x" * (STAFF_FORM_BYTES + 1)}
    assert (await moderator.post("/admin/login", big_form)).status_code == 413


async def test_a_photo_of_5_mb_is_taken_and_a_larger_body_refused(
    town: Round,
    browser: Callable[[], Browser],
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    async with sessions() as session, session.begin():
        project = (await session.scalars(select(Proposal).order_by(Proposal.id))).first()
        project.status = ProposalStatus.SELECTED
    moderator = browser()
    await moderator.login(*MODERATOR)
    url = f"/admin/proposals/{project.id}/updates"
    form = {"csrf_token": moderator.csrf, "status": "in_progress", "progress": "40", "body": "ok"}
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_PHOTO_BYTES - 8)
    taken = await moderator.client.post(
        url, data=form, files={"photo": ("p.png", photo, "image/png")}
    )
    assert taken.status_code == 303
    [stored] = list((tmp_path / "media").iterdir())
    assert stored.stat().st_size == MAX_PHOTO_BYTES
    huge = photo + b"\x00" * (PHOTO_FORM_BYTES - MAX_PHOTO_BYTES)
    refused = await moderator.client.post(
        url, data=form, files={"photo": ("p.png", huge, "image/png")}
    )
    assert refused.status_code == 413
    assert list((tmp_path / "media").iterdir()) == [stored]
