"""The delivery policy without a database: who is sent what, on which channel, or why not."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from budgeting.models import NotificationKind, Participant
from budgeting.services.delivery_policy import (
    Defer,
    DeferReason,
    DeliveryStatus,
    QuietHours,
    Recipient,
    Send,
    Skip,
    decide,
    identity_to_use,
)

NOON = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Stockholm
NIGHT = datetime(2027, 3, 10, 22, 0, tzinfo=UTC)  # 23:00 in Stockholm
STOCKHOLM = "Europe/Stockholm"
SERVED = {"telegram", "teams"}
RESULTS = NotificationKind.RESULTS.value


def recipient(
    *identities: tuple[str, str],
    opt_outs: tuple[str, ...] = (),
    unreachable_at: datetime | None = None,
    quiet: tuple[str, str] = ("21:00", "08:00"),
) -> Recipient:
    return Recipient(identities, frozenset(opt_outs), unreachable_at, QuietHours.parse(*quiet))


def test_the_stored_statuses_keep_their_values() -> None:
    assert [s.value for s in DeliveryStatus] == [
        "sent",
        "no_channel",
        "unreachable",
        "opted_out",
        "empty",
    ]


def test_sends_in_daytime_on_the_channel_it_knows() -> None:
    assert decide(recipient(("telegram", "42")), RESULTS, NOON, STOCKHOLM, SERVED) == Send(
        "telegram", "42"
    )


def test_someone_known_on_no_channel_is_skipped_before_anything_else() -> None:
    nobody = recipient(opt_outs=(RESULTS,), unreachable_at=NOON)
    assert decide(nobody, RESULTS, NIGHT, STOCKHOLM, SERVED) == Skip(DeliveryStatus.NO_CHANNEL)


def test_someone_unreachable_is_skipped_even_if_opted_out() -> None:
    gone = recipient(("telegram", "42"), opt_outs=(RESULTS,), unreachable_at=NOON)
    assert decide(gone, RESULTS, NOON, STOCKHOLM, SERVED) == Skip(DeliveryStatus.UNREACHABLE)


def test_an_opt_out_holds_day_and_night_and_on_any_channel() -> None:
    off = recipient(("whatsapp", "46701"), opt_outs=(RESULTS,))
    for now in (NOON, NIGHT):
        assert decide(off, RESULTS, now, STOCKHOLM, SERVED) == Skip(DeliveryStatus.OPTED_OUT)


@pytest.mark.parametrize("kind", [NotificationKind.REVIEW_OUTCOME, NotificationKind.COMMENT_HIDDEN])
def test_personal_messages_cannot_be_switched_off(kind: NotificationKind) -> None:
    author = recipient(("teams", "aad-1"), opt_outs=(kind.value,))
    assert decide(author, kind.value, NOON, STOCKHOLM, SERVED) == Send("teams", "aad-1")


def test_other_kinds_stay_on_when_one_is_switched_off() -> None:
    some = recipient(("telegram", "42"), opt_outs=(NotificationKind.SURVEY.value,))
    assert decide(some, RESULTS, NOON, STOCKHOLM, SERVED) == Send("telegram", "42")


def test_known_only_on_a_channel_not_served_here_waits() -> None:
    elsewhere = recipient(("whatsapp", "46701"))
    assert decide(elsewhere, RESULTS, NOON, STOCKHOLM, SERVED) == Defer(DeferReason.NOT_SERVED_HERE)


def test_quiet_hours_defer_in_the_rounds_time_zone() -> None:
    anna = recipient(("telegram", "42"))
    assert decide(anna, RESULTS, NIGHT, STOCKHOLM, SERVED) == Defer(DeferReason.QUIET_HOURS)
    # 22:00 UTC is only 17:00 in New York: not quiet there
    assert decide(anna, RESULTS, NIGHT, "America/New_York", SERVED) == Send("telegram", "42")


def test_the_newest_identity_on_a_served_channel_is_used() -> None:
    identities = [("telegram", "1"), ("teams", "2"), ("whatsapp", "3"), ("telegram", "4")]
    assert identity_to_use(identities, SERVED) == ("telegram", "4")
    assert identity_to_use(identities, {"teams"}) == ("teams", "2")
    assert identity_to_use(identities, set()) is None
    many = recipient(*identities)
    assert decide(many, RESULTS, NOON, STOCKHOLM, {"teams", "whatsapp"}) == Send("whatsapp", "3")


@pytest.mark.parametrize(
    ("start", "end", "local", "quiet"),
    [
        ("21:00", "08:00", "20:59", False),
        ("21:00", "08:00", "21:00", True),
        ("21:00", "08:00", "03:00", True),
        ("21:00", "08:00", "08:00", False),
        ("13:00", "14:00", "13:30", True),
        ("13:00", "14:00", "14:00", False),
        ("13:00", "14:00", "12:59", False),
        ("00:00", "00:00", "00:00", False),  # equal: no quiet hours at all
    ],
)
def test_quiet_hours_cover(start: str, end: str, local: str, quiet: bool) -> None:
    moment = datetime.combine(NOON.date(), time.fromisoformat(local), tzinfo=UTC)
    assert QuietHours.parse(start, end).cover(moment, "UTC") is quiet


def test_the_facts_of_a_stored_participant() -> None:
    participant = Participant(
        opt_outs=["survey"], quiet_start="22:30", quiet_end="07:00", unreachable_at=None
    )
    facts = Recipient.of(participant, [("telegram", "42")])
    assert facts == Recipient(
        (("telegram", "42"),), frozenset({"survey"}), None, QuietHours(time(22, 30), time(7))
    )
