"""The discussion through the console channel: ``budgetbot chat`` with piped stdin."""

from __future__ import annotations

import re

from tests.bot.app.test_cli import budgetbot, env  # noqa: F401 - the fixture

__all__ = ["env"]


def test_thread_in_the_console(env: dict[str, str]) -> None:  # noqa: F811
    budgetbot(env, "seed-demo", "--phase", "ideas")
    first = "\n".join(
        [
            "/start",
            "English",
            "/browse",
            "1",  # the first area
            "1",  # its first proposal
            "Write a comment",
            "Benches here would be lovely.",
            "Choose my own name",
            "Sara by the river",
            "/browse",
            "1",
            "1",
            "I walk here every day",  # typed under the proposal
            "Yes, post it",
        ]
    )
    out = budgetbot(env, "chat", "--user", "sara", stdin=first + "\n")
    assert "Sign with the name Resident" in out
    assert re.search(r"1\. Sara by the river · today \d\d:\d\d\nBenches here", out), out
    assert "Post this as a comment on #" in out
    assert re.search(r"1\. Sara by the river · today \d\d:\d\d\nI walk here every day", out)
    second = "\n".join(
        ["/start", "English", "/browse", "1", "1", "Read comments", "↪ Reply to 2", "Agreed!", "1"]
    )
    out = budgetbot(env, "chat", "--user", "tom", stdin=second + "\n")
    assert "Write your reply to Sara by the river: «Benches here would be lovely.»" in out
    assert "your reply is published" in out
    assert re.search(r"1\. Resident \d{4} · today", out), out
    assert "↪ reply to Sara by the river: «Benches here would be lovely.»" in out
    out = budgetbot(
        env, "chat", "--user", "sara", stdin="/browse\n1\n1\nRead comments\n👍 Agree with 1\n"
    )
    assert "👍 You agree with Resident" in out and "1 person agrees." in out
