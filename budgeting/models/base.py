"""Declarative base and column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every mapped table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


Texts = dict[str, Any]
"""Staff-written text per language: ``{"sv": {"title": ...}, "en": {...}}``."""


def localized(texts: Texts | None, field: str, locale: str, fallback: str = "sv") -> str:
    """The text of ``field`` in ``locale``, falling back to Swedish, then to any language."""
    texts = texts or {}
    for lang in (locale, fallback, *texts.keys()):
        value = (texts.get(lang) or {}).get(field)
        if value:
            return str(value)
    return ""


def translations(texts: Texts | None, field: str) -> dict[str, str]:
    """``{lang: text}`` of ``field`` in every language that has it."""
    return {
        lang: str(fields[field])
        for lang, fields in (texts or {}).items()
        if isinstance(fields, dict) and fields.get(field)
    }


def with_translations(texts: Texts | None, field: str, values: dict[str, str]) -> Texts:
    """A copy of ``texts`` whose ``field`` is exactly ``values`` (empty ones left out)."""
    result = {lang: dict(fields) for lang, fields in (texts or {}).items()}
    for fields in result.values():
        fields.pop(field, None)
    for lang, value in values.items():
        if value:
            result.setdefault(lang, {})[field] = value
    return {lang: fields for lang, fields in result.items() if fields}
