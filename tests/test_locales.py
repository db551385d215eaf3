"""Every catalog is complete: no untranslated or fuzzy entry, placeholders as in the msgid.

``make test`` re-extracts ``messages.pot`` from the source first, so a new string
without a translation fails here instead of showing an English fallback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from budgeting.i18n import LANGUAGES, LOCALES_DIR, translator

PLACEHOLDER = re.compile(r"\{\w*\}")


def catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalog_is_complete(lang: str) -> None:
    problems = []
    entries = {}
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        entries[ids[0]] = message
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        for string in strings:
            if not string:
                problems.append(f"untranslated: {ids[0]!r}")
            elif len(ids) == 1 and set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
            elif len(ids) > 1 and not set(PLACEHOLDER.findall(string)) <= wanted:
                problems.append(f"unknown placeholder: {ids[0]!r} -> {string!r}")
    problems += [f"missing: {mid!r}" for mid in template_ids() - entries.keys()]
    assert not problems, "\n".join(problems)


def test_compiled_catalogs_are_used() -> None:
    assert Path(LOCALES_DIR / "sv" / "LC_MESSAGES" / "messages.mo").exists()
    assert translator("sv").gettext("Propose an idea") != "Propose an idea"
    assert translator("ar").gettext("Propose an idea") != "Propose an idea"
