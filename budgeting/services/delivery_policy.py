"""Who gets a notification now, on which channel, and why not: rules without a database.

For one recipient the policy says send (on the newest identity of a channel served
here), skip for good (a ``Delivery`` row records the reason) or defer (nothing is
recorded; a later tick or another process asks again).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from budgeting.models import NotificationKind, Participant


class DeliveryStatus(StrEnum):
    """What happened to one recipient, as stored in ``Delivery.status``."""

    SENT = "sent"
    NO_CHANNEL = "no_channel"
    """Skipped: known on no channel at all."""
    UNREACHABLE = "unreachable"
    """Skipped: blocked the bot or left (marked so, or the channel said so on sending)."""
    OPTED_OUT = "opted_out"
    """Skipped: switched this kind of message off."""
    EMPTY = "empty"
    """Skipped: the notification has nothing to say to them (no text in any language)."""


class DeferReason(StrEnum):
    """Why a recipient waits for a later tick (nothing is recorded)."""

    QUIET_HOURS = "quiet_hours"
    NOT_SERVED_HERE = "not_served_here"
    """Known only on channels this process does not serve."""


PERSONAL = frozenset({NotificationKind.REVIEW_OUTCOME, NotificationKind.COMMENT_HIDDEN})
"""Kinds about the participant's own contribution: they cannot be switched off."""


@dataclass(frozen=True)
class Send:
    """Send now to this identity."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class Skip:
    """Record the recipient as done without sending."""

    reason: DeliveryStatus


@dataclass(frozen=True)
class Defer:
    """Leave the recipient for a later tick."""

    reason: DeferReason


Decision = Send | Skip | Defer


@dataclass(frozen=True)
class QuietHours:
    """The local times between which a participant gets no messages (none if equal)."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        """From ``"HH:MM"`` strings, as stored on the participant."""
        return cls(time.fromisoformat(start), time.fromisoformat(end))

    def cover(self, now: datetime, timezone: str) -> bool:
        """True while ``now`` falls in these hours in ``timezone``."""
        local = now.astimezone(ZoneInfo(timezone)).time()
        start, end = self.start, self.end
        if start == end:
            return False
        return start <= local or local < end if start > end else start <= local < end


@dataclass(frozen=True)
class Recipient:
    """The facts about one participant that decide their delivery."""

    identities: Sequence[tuple[str, str]]
    """(channel, external id), oldest first."""
    opt_outs: Collection[str]
    unreachable_at: datetime | None
    quiet_hours: QuietHours

    @classmethod
    def of(cls, participant: Participant, identities: Sequence[tuple[str, str]]) -> Recipient:
        """The facts of a stored participant with their identities (oldest first)."""
        return cls(
            identities=tuple(identities),
            opt_outs=frozenset(participant.opt_outs or ()),
            unreachable_at=participant.unreachable_at,
            quiet_hours=QuietHours.parse(participant.quiet_start, participant.quiet_end),
        )


def wants(opt_outs: Collection[str], kind: str) -> bool:
    """False if the participant switched this kind of message off (personal ones stay on)."""
    return kind in PERSONAL or kind not in opt_outs


def identity_to_use(
    identities: Sequence[tuple[str, str]], served: Collection[str]
) -> tuple[str, str] | None:
    """The newest identity on a channel served here, if any."""
    here = [identity for identity in identities if identity[0] in served]
    return here[-1] if here else None


def skip_reason(recipient: Recipient, kind: str) -> DeliveryStatus | None:
    """Why the recipient will never get a ``kind`` message (None: they will, now or later)."""
    if not recipient.identities:
        return DeliveryStatus.NO_CHANNEL
    if recipient.unreachable_at is not None:
        return DeliveryStatus.UNREACHABLE
    if not wants(recipient.opt_outs, kind):
        return DeliveryStatus.OPTED_OUT
    return None


def decide(
    recipient: Recipient, kind: str, now: datetime, timezone: str, served: Collection[str]
) -> Decision:
    """Send, skip (with the reason to record) or defer one recipient of a ``kind`` message.

    ``timezone`` is the round's; ``served`` the channels this process can send on.
    """
    skipped = skip_reason(recipient, kind)
    if skipped is not None:
        return Skip(skipped)
    identity = identity_to_use(recipient.identities, served)
    if identity is None:
        return Defer(DeferReason.NOT_SERVED_HERE)
    if recipient.quiet_hours.cover(now, timezone):
        return Defer(DeferReason.QUIET_HOURS)
    return Send(*identity)
