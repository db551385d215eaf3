"""A second page before an irreversible action: what will happen, and who will be told.

The action's own form posts to the action's route as before. Without a confirmation the
route only answers with the confirmation page (it changes nothing): the action is
rehearsed and undone (:func:`budgeting.services.staff.confirmations.rehearse`), so the
page names the very messages it would queue and how many people each reaches, or shows
the refusal at once. The page's form posts the same fields again, with the CSRF token
and a confirmation token; Cancel is a plain link back.

Why the final POST is the guarded one (and the first step a POST too): the first step
carries what staff typed (a reason in three languages can be long), which does not
belong in a URL, and it is harmless — it only renders. The final POST acts only with a
confirmation token that this server signed (itsdangerous, with the app's secret key) for
this staff session, this action, exactly these form values and the target's state
when the page was shown, within ``CONFIRM_WITHIN``; a nonce in it is spent in the
action's own transaction. So a forged or replayed final POST, a double submit, or a
confirmation of something that changed meanwhile never acts (the last shows the page
again with fresh figures).

Use in a route::

    page = await confirm_first(request, db, Step(...), lambda: service_call(...))
    if page is not None:
        return page
    return await act(...)  # confirmed: do it, in the same transaction as the spent nonce
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from budgeting.i18n import _
from budgeting.services.errors import RuleViolation
from budgeting.services.rounds import load_round
from budgeting.services.staff.confirmations import is_spent, rehearse, spend
from web_admin.responses import flash_refusal, see_other
from web_admin.security import CSRF_FIELD, page_csrf
from web_admin.templating import flash, render_page

CONFIRM_FIELD = "confirmation"
CONFIRM_WITHIN = 15 * 60
"""Seconds a confirmation page stays valid."""


@dataclass(frozen=True)
class Step:
    """An irreversible action waiting for its confirmation."""

    action: str
    """What is done, as in the audit log (``proposal.reject``)."""
    state: str
    """The target's state now (id, status, …): a change makes the confirmation stale."""
    title: str
    """The question the page asks (an English msgid)."""
    happens: list[str]
    """What will happen, in plain words (translated), one sentence each."""
    confirm_label: str
    """The confirm button (an English msgid)."""
    back: str
    """Where Cancel goes, and where the staff member lands if the step was done already."""
    round_id: int | None = None
    details: list[tuple[str, str]] = field(default_factory=list)
    """(label msgid, value) pairs staff chose, shown for a last look (a reason, a target)."""


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt="budgetbot.confirmation")


def _fields(form: FormData) -> list[tuple[str, str]]:
    """The form's own fields, as posted (without the tokens)."""
    return [
        (name, value)
        for name, value in form.multi_items()
        if isinstance(value, str) and name not in (CSRF_FIELD, CONFIRM_FIELD)
    ]


def _digest(request: Request, step: Step, fields: list[tuple[str, str]]) -> str:
    """What a confirmation is bound to: the staff session, the action, the target's state
    and the form's values."""
    bound = [page_csrf(request), step.action, step.state, sorted(fields)]
    return hashlib.sha256(json.dumps(bound).encode()).hexdigest()


def _token(request: Request, step: Step, fields: list[tuple[str, str]]) -> str:
    nonce = secrets.token_hex(16)
    return _signer(request).dumps({"n": nonce, "d": _digest(request, step, fields)})


def _nonce(request: Request, step: Step, fields: list[tuple[str, str]], token: str) -> str | None:
    """The token's nonce if it confirms exactly this step now; None otherwise."""
    try:
        data = _signer(request).loads(token, max_age=CONFIRM_WITHIN)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("d") != _digest(request, step, fields):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


def _stale_nonce(request: Request, token: str) -> str | None:
    """The nonce of a genuine token, however old or whatever it was for (to tell a double
    submit from a stale page)."""
    try:
        data = _signer(request).loads(token)
    except BadSignature:
        return None
    nonce = data.get("n") if isinstance(data, dict) else None
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


async def confirm_first(
    request: Request,
    db: AsyncSession,
    step: Step,
    action: Callable[[], Awaitable[Any]],
) -> Response | None:
    """None if the request confirms ``step`` (its nonce is now spent in ``db``'s
    transaction: the caller acts and commits); otherwise the page to answer with: the
    confirmation page (``action`` rehearsed and undone), or back with a message when
    the action is refused or was done already."""
    form = await request.form()
    fields = _fields(form)
    token = form.get(CONFIRM_FIELD)
    note = None
    if isinstance(token, str) and token:
        known = _stale_nonce(request, token)
        if known is not None and await is_spent(db, known):
            flash(request, _("This was done already; nothing more was changed."), "error")
            return see_other(step.back)
        nonce = _nonce(request, step, fields, token)
        if nonce is not None:
            if await spend(db, nonce, step.action, request.app.state.clock()):
                return None
            flash(request, _("This was done already; nothing more was changed."), "error")
            return see_other(step.back)
        note = _(
            "Something changed since this page was shown, or it expired. Nothing was done: "
            "check again and confirm."
        )
    try:
        told = await rehearse(db, action)
    except RuleViolation as refused:
        flash_refusal(request, refused)
        return see_other(step.back)
    round_ = await load_round(db, step.round_id) if step.round_id is not None else None
    return render_page(
        request,
        "confirm.html",
        {
            "round_": round_,
            "step": step,
            "told": told,
            "note": note,
            "fields": fields,
            "confirmation": _token(request, step, fields),
            "action_url": request.url.path,
            "path": step.back,  # the language links: back to the form (this page is a POST's)
        },
        status_code=409 if note else 200,
    )
