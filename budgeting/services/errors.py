"""The one exception services raise when a rule of the round is broken."""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    """A request that breaks a rule; ``code`` names the rule, ``params`` fill the message.

    ``message`` is an English msgid with ``{params}`` where the refusal is worded for the
    person who asked (staff rules, see ``budgeting.services.rules``); None where the caller words it
    by ``code`` (the dialogs' ``VIOLATIONS``).
    """

    def __init__(self, code: str, message: str | None = None, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params
