"""Staff-facing names of the domain's codes (English msgids, translated when shown)."""

from __future__ import annotations

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
