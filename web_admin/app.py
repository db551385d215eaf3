"""The FastAPI application: health check, the staff admin under /admin, and public media."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from budgeting.models import utcnow
from budgeting.services.results import FILES_PREFIX
from budgeting.services.staff.voting_codes import code_key as voting_code_key
from web_admin.body_limit import BodyLimit
from web_admin.client_address import ClientAddressMiddleware, TrustedProxies
from web_admin.deps import LoginRequired
from web_admin.routes import ROUTERS
from web_admin.security import (
    SESSION_COOKIE,
    SecurityHeadersMiddleware,
    clear_session_cookie,
)
from web_admin.templating import make_templates, render_page
from web_admin.uploads import PendingUploads

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFS_COOKIE = "budgetbot_prefs"
"""Signed, not secret: the language chosen, messages for the next page, the login form's
CSRF token. Who is logged in is in the server-side session (``SESSION_COOKIE``)."""
PREFS_MAX_AGE = 30 * 24 * 60 * 60
LOGINS_AT_ONCE = 4
"""Logins checked at once; the others wait for their turn without a database connection,
so a crowd of logins cannot take the pool from ``/healthz`` and the webhooks."""
PUBLIC_PATHS = frozenset(
    {"/healthz", "/admin", "/admin/login", "/media/{name}", FILES_PREFIX + "/{round_id}/{filename}"}
)
"""The only routes reachable without logging in (plus the static CSS; ``/admin`` only
sends the browser on to ``/admin/``); published files are for anyone to recount."""


def create_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    secret_key: str | None = None,
    https_only: bool = False,
    media_dir: str | Path | None = None,
    upload_dir: str | Path | None = None,
    public_url: str | None = None,
    bot_username: str | None = None,
    default_locale: str = "sv",
    timezone: str = "Europe/Stockholm",
    clock: Callable[[], datetime] = utcnow,
    trusted_proxies: Sequence[str] = (),
    letter_font: str | None = None,
) -> FastAPI:
    """Build the HTTP app around a session factory.

    ``secret_key`` signs the preferences cookie (a random per-process key if None, so
    the login form and the language choice lapse at restart; staff sessions are rows in
    the database); ``https_only`` marks the cookies Secure and sends HSTS;
    uploaded photos go to ``media_dir`` (default ``./media``) and are served at
    ``/media/<name>``, prefixed with ``public_url`` in what participants get; pabulib
    uploads wait for their import in ``upload_dir`` (default: ``uploads`` beside the media
    directory, never inside it, which is public);
    ``bot_username`` builds the campaign deep links ``https://t.me/<bot>?start=c_<tag>``;
    ``X-Forwarded-For`` is believed only from ``trusted_proxies`` (addresses or networks);
    ``letter_font`` is the .ttf of the voting-code letters (default: DejaVu Sans). Voting
    codes are issued only with a configured secret key (their letters are derived from it).
    """
    configured = bool(secret_key) and secret_key != "change-me"
    if not configured:
        log.warning("no secret key configured: login forms lapse when the process stops")
        secret_key = secrets.token_urlsafe(32)
    app = FastAPI(title="budgetbot", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = sessions
    app.state.secret_key = secret_key
    app.state.code_key = voting_code_key(secret_key or "") if configured else None
    app.state.letter_font = letter_font
    app.state.https_only = https_only
    app.state.media_dir = Path(media_dir or "media").resolve()
    app.state.uploads = PendingUploads(
        Path(upload_dir or app.state.media_dir.parent / "uploads").resolve()
    )
    app.state.public_url = (public_url or "").rstrip("/")
    app.state.bot_username = (bot_username or "").lstrip("@") or None
    app.state.default_locale = default_locale if default_locale in ("sv", "en") else "sv"
    app.state.timezone = timezone
    app.state.clock = clock
    app.state.templates = make_templates()
    app.state.login_gate = asyncio.Semaphore(LOGINS_AT_ONCE)

    app.add_middleware(BodyLimit)  # before anything reads a form: 64 KB, 5 MB with a photo
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=PREFS_COOKIE,
        max_age=PREFS_MAX_AGE,
        path="/admin",
        same_site="lax",
        https_only=https_only,
    )
    app.add_middleware(SecurityHeadersMiddleware, https_only=https_only)
    app.add_middleware(ClientAddressMiddleware, proxies=TrustedProxies(trusted_proxies))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 when the database answers, 503 otherwise."""
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means unhealthy
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.router.redirect_slashes = False  # Starlette would build it from the request's Host

    @app.get("/admin", include_in_schema=False)
    async def admin_home() -> Response:
        """On to the dashboard: a relative address, never one made of the request's Host."""
        return RedirectResponse("/admin/", status_code=307)

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        """Without a session: off to the login page (coming back here for a page view)."""
        target = "/admin/login"
        if request.method == "GET":
            target += "?next=" + quote(request.url.path, safe="/")
        response = RedirectResponse(target, status_code=303)
        if SESSION_COOKIE in request.cookies:  # ended, expired or never valid
            clear_session_cookie(response, https_only)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        """A malformed address or form: an error page for staff, JSON for others."""
        if not request.url.path.startswith("/admin"):
            return await request_validation_exception_handler(request, exc)
        return render_page(request, "error.html", {"status": 400}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        """Staff get an HTML error page; other clients the usual JSON."""
        if not request.url.path.startswith("/admin") or "session" not in request.scope:
            return await http_exception_handler(request, exc)
        return render_page(request, "error.html", {"status": exc.status_code}, exc.status_code)

    return app
