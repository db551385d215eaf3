"""The one exception services raise when a rule of the round is broken."""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    """A request that breaks a rule; ``code`` names the rule, ``params`` fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
