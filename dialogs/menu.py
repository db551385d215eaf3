"""The commands every channel offers, with their one-line descriptions (for /help and menus)."""

from __future__ import annotations

from budgeting.i18n import _ as N_

COMMAND_HELP: tuple[tuple[str, str], ...] = (
    ("start", N_("start over: choose the round")),
    ("about", N_("how the round works, budget, criteria, dates")),
    ("propose", N_("submit an idea")),
    ("ideas", N_("your ideas and their status")),
    ("browse", N_("read and discuss proposals")),
    ("vote", N_("vote on the projects of your area")),
    ("results", N_("the result of the vote")),
    ("verify", N_("check your ballot: receipt, stored ballot, published file")),
    ("follow", N_("proposals you follow")),
    ("survey", N_("tell us how the round went")),
    ("language", N_("change language")),
    ("settings", N_("language and reminders")),
    ("mydata", N_("everything stored about you")),
    ("forget", N_("erase your personal data")),
    ("cancel", N_("stop what you are doing")),
    ("help", N_("this list")),
)
"""(command without slash, description msgid) in the order menus show them."""
