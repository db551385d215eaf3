"""Staff-facing names of the domain's codes (English msgids, translated when shown)."""

from __future__ import annotations

from typing import Any

from budgeting.i18n import _

PHASES = {
    "upcoming": _("Not started"),
    "ideas": _("Ideas"),
    "review": _("Review"),
    "voting": _("Voting"),
    "decision": _("Council decision"),
    "implementation": _("Implementation"),
    "followup": _("Follow-up"),
    "closed": _("Closed"),
}
PHASE_DATES = {
    "ideas": _("Ideas open"),
    "review": _("Review starts"),
    "voting": _("Voting opens"),
    "decision": _("Voting closes, decision phase starts"),
    "implementation": _("Implementation starts"),
    "followup": _("Follow-up starts"),
    "closed": _("Round closes"),
}
STATUSES = {
    "submitted": _("Submitted"),
    "under_review": _("Under review"),
    "accepted": _("On the ballot"),
    "rejected": _("Rejected"),
    "merged": _("Merged"),
    "withdrawn": _("Withdrawn"),
    "selected": _("Selected"),
    "not_selected": _("Not selected"),
    "declined": _("Declined by the council"),
}
"""Statuses by :func:`budgeting.services.rules.standing` (a declined project is not
"selected")."""
AUDIENCES = {
    "residents": _("Residents (medborgarbudget)"),
    "employees": _("Employees (medarbetarbudget)"),
}
IMPLEMENTATION = {
    "not_started": _("Not started"),
    "planning": _("Planning"),
    "in_progress": _("In progress"),
    "done": _("Done"),
    "cancelled": _("Cancelled"),
}
DECISIONS = {"approved": _("Approved by the council"), "declined": _("Declined by the council")}
RULES = {
    "greedy": _("Greedy by points (Kraków's rule)"),
    "greedy-no-skip": _("Greedy by points, stopping at the first project that does not fit"),
    "mes": _("Method of Equal Shares"),
}
BALLOT_KINDS = {
    "ranked": _("Ranked: put up to K projects in order"),
    "approval": _("Approval: choose up to K projects"),
    "cumulative": _("Cumulative: spread points over projects"),
}
SPLIT_KINDS = {
    "area": _("By area: each person votes in the area they live or work in"),
    "theme": _("By theme: projects are grouped by theme"),
    "group": _("By group: e.g. young people 13–19, or one workplace; each person says once"),
}
PART_WORDS = {
    "area": {
        "heading": _("Areas and their budgets"),
        "title": _("Areas and criteria"),
        "add": _("Add an area"),
        "add_button": _("Add the area"),
        "save": _("Save the area"),
        "remove": _("Remove the area"),
        "per": _("Per area"),
        "column": _("Area"),
        "chart": _("Ballots per area"),
        "plural": _("Areas"),
        "none": _("No areas yet."),
        "broadcast": _("Those who voted in an area"),
    },
    "theme": {
        "heading": _("Themes and their budgets"),
        "title": _("Themes and criteria"),
        "add": _("Add a theme"),
        "add_button": _("Add the theme"),
        "save": _("Save the theme"),
        "remove": _("Remove the theme"),
        "per": _("Per theme"),
        "column": _("Theme"),
        "chart": _("Ballots per theme"),
        "plural": _("Themes"),
        "none": _("No themes yet."),
        "broadcast": _("Those who voted in a theme"),
    },
    "group": {
        "heading": _("Groups and their budgets"),
        "title": _("Groups and criteria"),
        "add": _("Add a group"),
        "add_button": _("Add the group"),
        "save": _("Save the group"),
        "remove": _("Remove the group"),
        "per": _("Per group"),
        "column": _("Group"),
        "chart": _("Ballots per group"),
        "plural": _("Groups"),
        "none": _("No groups yet."),
        "broadcast": _("Those in a group: its voters and those who said they belong to it"),
    },
}
"""What staff read for a round's parts, by the round's split kind."""


def part_words(round_: Any) -> dict[str, str]:
    """The msgids naming ``round_``'s parts (areas unless it is split otherwise)."""
    return PART_WORDS.get(getattr(round_, "split_kind", "area"), PART_WORDS["area"])


VOTE_TYPES = {
    "ordinal": _("Ranked (ordinal)"),
    "approval": _("Approval"),
    "choose-1": _("Choose one project"),
    "cumulative": _("Cumulative points"),
}
"""pabulib's META ``vote_type`` values."""
TIE_BREAKS = {
    "lot": _("A lot drawn at the count"),
    "listed": _("The order proposals were listed in"),
}
QUESTIONS = {
    "understood": _("I understood how the decision was made"),
    "discussion": _("My views had room in a discussion with others"),
    "together": _("We decided together with others"),
}
ROUND_TEXTS = {
    "title": _("Title"),
    "description": _("Description"),
    "faq": _("Questions and answers"),
}
NOTIFICATION_STATUS = {"pending": _("Waiting"), "claimed": _("Sending"), "done": _("Sent")}
FLAG_REASONS = {
    "offensive": _("Offensive or a personal attack"),
    "personal_data": _("Personal data about someone"),
    "spam": _("Spam or advertising"),
    "off_topic": _("Off topic"),
    "other": _("Something else"),
}
CHANNELS = {
    "telegram": _("Telegram"),
    "teams": _("Microsoft Teams"),
    "whatsapp": _("WhatsApp"),
    "console": _("Console"),
    "paper": _("Paper"),
    "import": _("Imported"),
}
"""Where ballots came from (``BallotChannel``), in the order counts are shown."""


def by_channel(counts: dict[str, int]) -> list[tuple[str, int]]:
    """``(msgid, ballots)`` per channel that has ballots, in the order of :data:`CHANNELS`."""
    known = [(CHANNELS[c], counts[c]) for c in CHANNELS if counts.get(c)]
    return known + [(c, n) for c, n in sorted(counts.items()) if c not in CHANNELS and n]
