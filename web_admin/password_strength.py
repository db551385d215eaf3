"""The password rule for staff accounts: at least 12 characters and hard to guess.

"Hard to guess" is zxcvbn's judgement (Dropbox's estimator: dictionaries of common
passwords, names and words, keyboard patterns, repeats, sequences, dates), score 3 of 4 or
better, with the e-mail address given as a word an attacker would try. zxcvbn words its
advice in English only, so the kind of weakness it found is mapped to our own
translated sentences; anything else gets a general one.
"""

from __future__ import annotations

import re
from typing import Any

from zxcvbn import zxcvbn

from budgeting.i18n import _
from budgeting.services.errors import RuleViolation

MIN_LENGTH = 12
MIN_SCORE = 3
"""zxcvbn's scale: 3 is "safely unguessable" (about 10^10 guesses), 4 "very unguessable"."""
CHECKED_LENGTH = 72
"""zxcvbn refuses longer input; a longer password is judged by its first 72 characters."""

TOO_SHORT = _("The password must be at least {min_length} characters long.")
TOO_EASY = _(
    "The password is too easy to guess. Try three or four unrelated words, or a longer phrase."
)
WEAKNESSES = {
    "common": _(
        "This is one of the most used passwords. "
        "Try three or four unrelated words, or a longer phrase."
    ),
    "personal": _("The password must not contain the e-mail address or a part of it."),
    "name": _("A name, alone or with a few digits, is easy to guess. Add more unrelated words."),
    "word": _("A single word, alone or with a few digits, is easy to guess. Add more words."),
    "keyboard": _("Rows of keys such as “qwerty” are easy to guess."),
    "repeat": _("Repeated characters or words such as “aaa” are easy to guess."),
    "sequence": _("Sequences such as “abcd” or “1234” are easy to guess."),
    "date": _("Dates and years are easy to guess, especially ones that concern you."),
}
"""Our own wording of each kind of weakness zxcvbn reports."""


def _email_words(email: str | None) -> list[str]:
    """The e-mail address and its parts, as an attacker would try them."""
    if not email:
        return []
    email = email.strip().lower()
    parts = [p for p in re.split(r"[@._+\-]+", email) if len(p) >= 3]
    return [email, email.split("@")[0], *parts]


def _weakness(match: dict[str, Any]) -> str | None:
    """The kind of weakness one of zxcvbn's matches stands for."""
    pattern = match.get("pattern")
    if pattern == "dictionary":
        dictionary = match.get("dictionary_name")
        if dictionary == "passwords":
            return "common"
        if dictionary == "user_inputs":
            return "personal"
        if dictionary in ("surnames", "male_names", "female_names"):
            return "name"
        return "word"
    return {
        "spatial": "keyboard",
        "repeat": "repeat",
        "sequence": "sequence",
        "regex": "date",
        "date": "date",
    }.get(str(pattern))


def password_problem(password: str, email: str | None = None) -> RuleViolation | None:
    """Why ``password`` may not be used (for the account ``email``), or None if it may.

    The refusal's ``message`` is an English msgid and its ``params`` fill it in:
    ``t.gettext(problem.message).format(**problem.params)`` words it for a reader, and
    ``web_admin.responses.flash_refusal`` shows it on the next admin page.
    """
    if len(password) < MIN_LENGTH:
        return RuleViolation("password_too_short", TOO_SHORT, min_length=MIN_LENGTH)
    words = _email_words(email)
    lowered = password.lower()
    if words and (words[0] in lowered or lowered in words[0]):
        return RuleViolation("password_weak", WEAKNESSES["personal"])
    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    matches = sorted(result["sequence"], key=lambda m: len(m.get("token", "")), reverse=True)
    kinds = [kind for kind in map(_weakness, matches) if kind is not None]
    return RuleViolation("password_weak", WEAKNESSES[kinds[0]] if kinds else TOO_EASY)
