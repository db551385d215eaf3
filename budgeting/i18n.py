"""Translations (gettext catalogs under ``locales/``) and locale-aware formatting."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = {"sv": "Svenska", "en": "English", "ar": "العربية"}
"""Languages participants can choose, each named in itself."""
DEFAULT_LOCALE = "sv"
RTL = frozenset({"ar"})


def _(message: str) -> str:
    """Mark a string for extraction where it is translated later (at display time)."""
    return message


@lru_cache(maxsize=4096)
def kronor(amount: int, locale: str) -> str:
    """``amount`` SEK in ``locale`` (kept: the same few costs are shown again and again)."""
    return format_currency(amount, "SEK", locale=locale, format="#,##0 ¤", currency_digits=False)


def normalize(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map ``en-GB``/``sv_SE``/``None`` to a supported language code."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else default


@dataclass(frozen=True)
class Translator:
    """Everything needed to speak to one person in their language."""

    locale: str
    catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """Translate ``message``."""
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the plural form for ``n``."""
        return self.catalog.ngettext(singular, plural, n)

    def money(self, amount: int) -> str:
        """An amount in Swedish kronor, e.g. ``1 000 000 kr`` in Swedish."""
        return kronor(amount, self.locale)

    def number(self, value: int) -> str:
        """A whole number with the locale's grouping."""
        return format_decimal(value, locale=self.locale)

    def datetime(self, value: datetime, timezone: str) -> str:
        """A moment shown in the round's time zone in the locale's format."""
        return format_datetime(
            value, "d MMM y HH:mm", tzinfo=ZoneInfo(timezone), locale=self.locale
        )

    def moment(self, value: datetime, now: datetime, timezone: str) -> str:
        """When something was written, as a reader says it: ``today 09:12``,
        ``yesterday 14:05``, ``3 Dec 14:05``, or with the year when it was another year."""
        zone = ZoneInfo(timezone)
        local, today = value.astimezone(zone), now.astimezone(zone).date()
        clock = format_time(local, "HH:mm", locale=self.locale)
        if local.date() == today:
            return self.gettext("today {time}").format(time=clock)
        if local.date() == today - timedelta(days=1):
            return self.gettext("yesterday {time}").format(time=clock)
        skeleton = "MMMd" if local.year == today.year else "yMMMd"
        day = format_skeleton(skeleton, local, locale=self.locale)
        return self.gettext("{date} {time}").format(date=day, time=clock)

    @property
    def rtl(self) -> bool:
        """True for right-to-left languages."""
        return self.locale in RTL


@cache
def translator(locale: str | None) -> Translator:
    """The translator for ``locale`` (English text if no compiled catalog exists)."""
    code = normalize(locale)
    catalog = gettext.translation(DOMAIN, LOCALES_DIR, languages=[code], fallback=True)
    return Translator(code, catalog)
