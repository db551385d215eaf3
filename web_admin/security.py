"""Security headers, CSRF tokens, the session cookie and safe redirect targets."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from budgeting.services.staff.sessions import SESSION_LIFETIME

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "budgetbot_session"
"""Holds only a random session id; the row it names (by hash) holds the rest."""


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pure ASGI, no body buffering)."""

    def __init__(self, app: ASGIApp, https_only: bool = False) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if https_only:
            self.headers["Strict-Transport-Security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_admin = scope["path"].startswith("/admin")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if is_admin and not scope["path"].startswith("/admin/static"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


def ensure_csrf(session: dict[str, Any]) -> str:
    """The login form's CSRF token, kept in the signed preferences cookie (before login
    there is no server-side session; afterwards the session row holds the token)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = new_token()
    return token


def page_csrf(request: Request) -> str:
    """The CSRF token a page's forms carry: the staff session's, else the login form's."""
    row = getattr(request.state, "staff_session", None)
    return row.csrf_token if row is not None else ensure_csrf(request.session)


def csrf_matches(expected: str | None, submitted: str | None) -> bool:
    """True if ``submitted`` is the expected CSRF token (constant-time comparison)."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(str(expected).encode(), str(submitted).encode())


def set_session_cookie(response: Response, session_id: str, secure: bool) -> None:
    """Give the browser its session id: HttpOnly, SameSite=Lax, Secure behind https."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/admin",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, secure: bool) -> None:
    """Tell the browser to forget its session id."""
    response.delete_cookie(
        SESSION_COOKIE, path="/admin", secure=secure, httponly=True, samesite="lax"
    )


def device_label(user_agent: str | None) -> str | None:
    """A short "Firefox, Linux"-like label of a browser (shown to its owner only)."""
    if not user_agent:
        return None
    browser = next((name for key, name in _BROWSERS if key in user_agent), None)
    system = next((name for key, name in _SYSTEMS if key in user_agent), None)
    return ", ".join(part for part in (browser, system) if part) or None


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
)


def safe_next(target: str | None, default: str = "/admin/") -> str:
    """A redirect target inside the admin only (no open redirects)."""
    if not target or not target.startswith("/admin") or target.startswith("//"):
        return default
    if any(c in target for c in "\\\r\n"):
        return default
    return target


def form_signature(secret: str, *parts: object) -> str:
    """An HMAC of ``parts`` under ``secret`` (e.g. the session's CSRF token): a hidden form
    value the server chose comes back unchanged, or the signature no longer matches."""
    message = "\x1f".join(map(str, parts)).encode()
    return hmac.new(secret.encode(), message, "sha256").hexdigest()
