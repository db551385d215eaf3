"""Security headers, CSRF tokens, session stamps and safe redirect targets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from budgeting.models import StaffUser

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


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
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = new_token()
    return token


def csrf_matches(session: dict[str, Any], submitted: str | None) -> bool:
    """True if ``submitted`` is the session's CSRF token (constant-time comparison)."""
    expected = session.get("csrf")
    if not expected or not submitted:
        return False
    return hmac.compare_digest(str(expected).encode(), str(submitted).encode())


def session_stamp(secret: str, user: StaffUser) -> str:
    """Binds a session to the user's last login and password: either changing ends it."""
    last = user.last_login_at.isoformat() if user.last_login_at else ""
    message = f"{user.id}|{last}|{user.password_hash}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def safe_next(target: str | None, default: str = "/admin/") -> str:
    """A redirect target inside the admin only (no open redirects)."""
    if not target or not target.startswith("/admin") or target.startswith("//"):
        return default
    if any(c in target for c in "\\\r\n"):
        return default
    return target
