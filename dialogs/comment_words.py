"""The wording of a batch of new comments told to someone (see ``comment_notices``)."""

from __future__ import annotations

import re

from budgeting.i18n import Translator
from budgeting.models import Audience, Comment, NotificationKind, Proposal, Round
from dialogs.wording import short

SHOWN = 3
"""Comments quoted in one message; the rest are counted."""
EXCERPT = 80
"""Characters of a comment's first line shown."""
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters and bidirectional overrides: they could rearrange the message."""


def excerpt(body: str) -> str:
    """The first line of a comment, made safe to quote and shortened."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    return short(" ".join(UNSAFE.sub(" ", first).split()), EXCERPT)


def comment_digest(
    t: Translator,
    round_: Round | None,
    proposal: Proposal,
    kind: NotificationKind,
    comments: list[Comment],
) -> str:
    """'2 new comments on #12 …', why the reader is told, and the first lines."""
    n = len(comments)
    title = f"#{proposal.id} {proposal.title}"
    employees = round_ is not None and round_.audience == Audience.EMPLOYEES
    lines = [
        t.ngettext("{n} new comment on {title}", "{n} new comments on {title}", n).format(
            n=t.number(n), title=title
        )
    ]
    if kind is NotificationKind.REPLIES:
        lines.append(t.gettext("Someone answered your comment."))
    elif kind is NotificationKind.COMMENTS_ON_MINE:
        lines.append(
            t.gettext("Your colleagues are discussing your idea.")
            if employees
            else t.gettext("Other residents are discussing your idea.")
        )
    else:
        lines.append(
            t.gettext("You follow this proposal; your colleagues are discussing it.")
            if employees
            else t.gettext("You follow this proposal; other residents are discussing it.")
        )
    lines += [f"— {excerpt(c.body)}" for c in comments[:SHOWN]]
    if n > SHOWN:
        rest = n - SHOWN
        lines.append(
            t.ngettext("…and {n} more comment", "…and {n} more comments", rest).format(
                n=t.number(rest)
            )
        )
    lines.append(t.gettext("You can switch these messages off in /settings."))
    return "\n".join(lines)
