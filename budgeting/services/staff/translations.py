"""Staff texts written per language: Swedish is required, English and Arabic optional."""

from __future__ import annotations

from budgeting.i18n import DEFAULT_LOCALE, LANGUAGES
from budgeting.services import rules
from budgeting.services.proposals import clean_text


def per_language(swedish: str | None, others: dict[str, str] | None, limit: int) -> dict[str, str]:
    """``{lang: text}`` with the Swedish text and the cleaned, shortened translations of the
    other known languages; RuleViolation if a translation comes without Swedish."""
    translations = {
        lang: clean_text(text)[:limit]
        for lang, text in (others or {}).items()
        if lang in LANGUAGES and lang != DEFAULT_LOCALE and clean_text(text)
    }
    rules.check_translations(swedish, translations)
    return {DEFAULT_LOCALE: swedish, **translations} if swedish else {}
