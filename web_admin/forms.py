"""Reading HTML form fields: numbers, local date-times in a round's zone, texts per language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData

from budgeting.i18n import _
from budgeting.models import Audience, BallotKind, Round, SplitKind
from budgeting.phases import SCHEDULED, Phase
from budgeting.services.proposals import clean_text
from budgeting.services.rules import FLAG_THRESHOLD_LIMIT
from web_admin.templating import TEXT_LANGUAGES

DATE_FIELDS = (*(f"{p.value}_opens_at" for p in SCHEDULED), "closes_at")
"""The round's dates, in the order they must follow each other."""
ROUND_TEXT_FIELDS = ("title", "description", "faq")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_RANKS_LIMIT = 10
POINTS_LIMIT = 100
"""The most points a cumulative ballot may spread."""
MIN_SCORE_LIMIT = 10**9
DIGEST_DEFAULT = 180
DIGEST_LIMIT = 7 * 24 * 60
"""Comment notifications are gathered for at most a week (0: each comment told at once)."""
MAX_ROW_ID = 2**63 - 1
"""The largest id (or amount) a column holds: a signed 64-bit integer in both databases."""


def text(form: FormData, name: str, limit: int = 10_000) -> str:
    """A cleaned text field ('' if missing)."""
    value = form.get(name)
    return clean_text(value)[:limit] if isinstance(value, str) else ""


def whole_number(value: str) -> int | None:
    """``250 000``, ``250000`` or ``250.000`` as an int; None if it is not a whole number
    a database column can hold (ids and amounts alike)."""
    digits = re.sub(r"[\s.,\u00a0\u202f]", "", value or "")
    if not digits.isdigit() or len(digits) > 19:
        return None
    number = int(digits)
    return number if number <= MAX_ROW_ID else None


def local_value(moment: datetime | None, zone: str) -> str:
    """A moment as the value of an ``<input type="datetime-local">`` in ``zone``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def parse_local(value: str, zone: str) -> datetime | None:
    """A ``datetime-local`` value read in ``zone``, as an aware UTC moment."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def translations(form: FormData, name: str, limit: int) -> dict[str, str]:
    """``{lang: text}`` of the fields ``{name}.{lang}`` for the languages other than Swedish."""
    return {lang: text(form, f"{name}.{lang}", limit) for lang in TEXT_LANGUAGES if lang != "sv"}


def texts(form: FormData, prefix: str, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``{lang: {field: text}}`` from fields ``{prefix}.{lang}.{field}``, leaving out empty ones."""
    result: dict[str, dict[str, str]] = {}
    for lang in TEXT_LANGUAGES:
        values = {f: text(form, f"{prefix}.{lang}.{f}") for f in fields}
        values = {f: v for f, v in values.items() if v}
        if values:
            result[lang] = values
    return result


@dataclass
class RoundSettings:
    """Everything the round setup form sets, checked field by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def round_settings(form: FormData) -> RoundSettings:
    """Read and check the round setup form; ``errors`` maps field names to msgids."""
    out = RoundSettings()
    values, errors = out.values, out.errors
    values["slug"] = text(form, "slug", 64).lower()
    if not SLUG.match(values["slug"]):
        errors["slug"] = _("Use 2–63 lower-case letters, digits and hyphens.")
    values["audience"] = text(form, "audience")
    if values["audience"] not in {a.value for a in Audience}:
        errors["audience"] = _("Choose who the round is for.")
    values["organisation"] = text(form, "organisation", 200) or None
    budget = whole_number(text(form, "budget"))
    if budget is None or budget <= 0:
        errors["budget"] = _("Give the budget in whole kronor.")
    values["budget"] = budget
    zone = text(form, "timezone") or "Europe/Stockholm"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("Unknown time zone.")
        zone = "Europe/Stockholm"
    values["timezone"] = zone
    for name in ("min_ranks", "max_ranks"):
        number = whole_number(text(form, name))
        if number is None or not 1 <= number <= MAX_RANKS_LIMIT:
            errors[name] = _("A number from 1 to 10.")
        values[name] = number
    ranks_given = "min_ranks" not in errors and "max_ranks" not in errors
    if ranks_given and values["min_ranks"] > values["max_ranks"]:
        errors["min_ranks"] = _("At most the maximum number of ranks.")
    values["ballot_kind"] = text(form, "ballot_kind") or BallotKind.RANKED.value
    if values["ballot_kind"] not in {k.value for k in BallotKind}:
        errors["ballot_kind"] = _("Choose how residents vote.")
    for name, default, limit, message in (
        ("points_total", 10, POINTS_LIMIT, _("A number from 1 to 100.")),
        ("points_per_project", 5, POINTS_LIMIT, _("A number from 1 to 100.")),
        ("min_project_score", 1, MIN_SCORE_LIMIT, _("A whole number, at least 1.")),
        ("flag_threshold", 3, FLAG_THRESHOLD_LIMIT, _("A number from 1 to 100.")),
    ):
        given = text(form, name)
        number = whole_number(given) if given else default
        if number is None or not 1 <= number <= limit:
            errors[name] = message
        values[name] = number
    given = text(form, "comment_digest_minutes")
    minutes = whole_number(given) if given else DIGEST_DEFAULT
    if minutes is None or minutes > DIGEST_LIMIT:
        errors["comment_digest_minutes"] = _("A number of minutes from 0 to 10080 (a week).")
    values["comment_digest_minutes"] = minutes
    points_given = "points_total" not in errors and "points_per_project" not in errors
    if points_given and values["points_per_project"] > values["points_total"]:
        errors["points_per_project"] = _("At most the points each voter has.")
    values["requires_voting_code"] = form.get("requires_voting_code") == "on"
    values["moderators_enter_paper"] = form.get("moderators_enter_paper") == "on"
    values["split_kind"] = text(form, "split_kind") or SplitKind.AREA.value
    if values["split_kind"] not in {k.value for k in SplitKind}:
        errors["split_kind"] = _("Choose how the round is split.")
    values["one_ballot_per_part"] = (
        values["split_kind"] == SplitKind.THEME and form.get("one_ballot_per_part") == "on"
    )
    values["tie_break"] = text(form, "tie_break") or "lot"
    if values["tie_break"] not in ("lot", "listed"):
        errors["tie_break"] = _("Choose how ties are broken.")
    previous = None
    for name in DATE_FIELDS:
        moment = parse_local(text(form, name), zone)
        if moment is None:
            errors[name] = _("Give a date and time.")
        elif previous is not None and moment < previous:
            errors[name] = _("Must not be before the previous date.")
        values[name] = moment
        previous = moment or previous
    override = text(form, "phase_override")
    if override and override not in {p.value for p in Phase}:
        errors["phase_override"] = _("Unknown phase.")
    values["phase_override"] = override or None
    values["texts"] = texts(form, "texts", ROUND_TEXT_FIELDS)
    if not values["texts"].get("sv", {}).get("title"):
        errors["texts.sv.title"] = _("Give the round a Swedish title.")
    return out


def round_form_values(round_: Round | None) -> dict[str, Any]:
    """The form's field values for an existing round (or defaults for a new one)."""
    if round_ is None:
        return {
            "slug": "",
            "audience": Audience.RESIDENTS.value,
            "organisation": "",
            "budget": "",
            "timezone": "Europe/Stockholm",
            "min_ranks": "1",
            "max_ranks": "3",
            "ballot_kind": BallotKind.RANKED.value,
            "points_total": "10",
            "points_per_project": "5",
            "min_project_score": "1",
            "flag_threshold": "3",
            "comment_digest_minutes": str(DIGEST_DEFAULT),
            "requires_voting_code": False,
            "moderators_enter_paper": False,
            "split_kind": SplitKind.AREA.value,
            "one_ballot_per_part": False,
            "tie_break": "lot",
            "phase_override": "",
            "texts": {},
            **{name: "" for name in DATE_FIELDS},
        }
    values: dict[str, Any] = {
        "slug": round_.slug,
        "audience": round_.audience,
        "organisation": round_.organisation or "",
        "budget": str(round_.budget),
        "timezone": round_.timezone,
        "min_ranks": str(round_.min_ranks),
        "max_ranks": str(round_.max_ranks),
        "ballot_kind": round_.ballot_kind,
        "points_total": str(round_.points_total),
        "points_per_project": str(round_.points_per_project),
        "min_project_score": str(round_.min_project_score),
        "flag_threshold": str(round_.flag_threshold),
        "comment_digest_minutes": str(round_.comment_digest_minutes),
        "requires_voting_code": round_.requires_voting_code,
        "moderators_enter_paper": round_.moderators_enter_paper,
        "split_kind": round_.split_kind,
        "one_ballot_per_part": round_.one_ballot_per_part,
        "tie_break": round_.tie_break,
        "phase_override": round_.phase_override or "",
        "texts": round_.texts or {},
    }
    for name in DATE_FIELDS:
        values[name] = local_value(getattr(round_, name), round_.timezone)
    return values


def submitted_values(form: FormData) -> dict[str, Any]:
    """What the staff member typed, to show the form again after an error."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["requires_voting_code"] = form.get("requires_voting_code") == "on"
    values["moderators_enter_paper"] = form.get("moderators_enter_paper") == "on"
    values["one_ballot_per_part"] = form.get("one_ballot_per_part") == "on"
    values["texts"] = texts(form, "texts", ROUND_TEXT_FIELDS)
    return values
