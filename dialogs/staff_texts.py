"""Texts staff wrote per language, as one participant should read them."""

from __future__ import annotations

from budgeting.i18n import Translator


def staff_text(t: Translator, texts: dict[str, str] | None, swedish: str | None = None) -> str:
    """The text in the reader's language, or the Swedish one marked "(only in Swedish)".

    ``swedish`` is the required Swedish text when ``texts`` (``{lang: text}``) may lack it.
    """
    texts = {**({"sv": swedish} if swedish else {}), **(texts or {})}
    texts = {lang: text for lang, text in texts.items() if text}
    if not texts:
        return ""
    if t.locale in texts:
        return texts[t.locale]
    _ = t.gettext
    original = texts.get("sv") or next(iter(texts.values()))
    note = _("(only in Swedish)")
    return f"{original} {note}"
