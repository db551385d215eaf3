"""Jinja2 templates with gettext (the staff member's language) and the page context."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from budgeting.i18n import Translator, translator
from budgeting.models.base import translations
from budgeting.services.rules import standing
from web_admin import labels
from web_admin.security import page_csrf

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STAFF_LANGUAGES = {"sv": "Svenska", "en": "English"}
"""Languages of the staff UI (participants' texts are written in sv/en/ar)."""
TEXT_LANGUAGES = {"sv": "Svenska", "en": "English", "ar": "العربية"}


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return context["t"].gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return context["t"].ngettext(singular, plural, n)


def make_templates() -> Jinja2Templates:
    """The template engine: autoescaped HTML, ``{% trans %}`` and ``_()`` per request language."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env)


def staff_translator(request: Request) -> Translator:
    """The staff member's language: ``?lang=`` remembers a choice, Swedish by default."""
    chosen = request.query_params.get("lang")
    if chosen in STAFF_LANGUAGES:
        request.session["lang"] = chosen
    lang = request.session.get("lang")
    if lang not in STAFF_LANGUAGES:
        lang = request.app.state.default_locale
    return translator(lang)


def flash(request: Request, message: str, kind: str = "ok", **params: Any) -> None:
    """Show ``message`` (an English msgid, translated when shown) on the next page."""
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], [kind, message, params]]


def render_page(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render a page with the shared context: translator, staff, CSRF token, flashes."""
    t = staff_translator(request)
    messages = [
        (kind, t.gettext(message).format(**params))
        for kind, message, params in request.session.pop("flash", [])
    ]
    round_ = (context or {}).get("round_")
    zone = round_.timezone if round_ is not None else request.app.state.timezone

    def when(value: datetime | None) -> str:
        return t.datetime(value, zone) if value else "—"

    page = {
        "t": t,
        "staff": getattr(request.state, "staff", None),
        "csrf_token": page_csrf(request),
        "messages": messages,
        "languages": STAFF_LANGUAGES,
        "text_languages": TEXT_LANGUAGES,
        "path": request.url.path,
        "money": t.money,
        "number": t.number,
        "when": when,
        "round_": None,
        "labels": labels,
        "translations": translations,
        "standing": standing,
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, page, status_code=status_code)
