"""The rules of a round as pure functions: ballots, proposal statuses, budgets, phases.

Each check returns nothing or raises ``RuleViolation``; none touches the database, so the
services call them with what they have read and tests call them with plain objects. Staff
refusals carry their English msgid (``REFUSALS``), translated when the staff member sees it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from budgeting.i18n import _
from budgeting.models import (
    BallotKind,
    Comment,
    CouncilDecision,
    ImplementationStatus,
    Proposal,
    ProposalStatus,
    Round,
    SplitKind,
    StaffRole,
)
from budgeting.phases import Phase, current_phase
from budgeting.services.errors import RuleViolation

REFUSALS = {
    # review
    "proposal_text_empty": _("Title and description cannot be empty."),
    "proposal_title_too_long": _("The title is too long (at most {limit} characters)."),
    "cost_negative": _("The cost cannot be negative."),
    "already_accepted": _("The proposal is already on the ballot."),
    "already_rejected": _("The proposal is already rejected."),
    "ballot_frozen": _("The results are published; the ballot can no longer change."),
    "not_reviewable": _("This proposal can no longer be reviewed."),
    "reason_required": _("Give a reason; the author will read it."),
    "swedish_required": _("Write the Swedish text too; it is shown to everyone else."),
    "merge_target": _(
        "Choose another open or accepted proposal of the same round and area to merge into."
    ),
    "assessment_incomplete": _(
        "Assess every criterion first, or accept anyway and give the reason for the audit log."
    ),
    "override_reason": _(
        "Give the reason for accepting without a complete assessment; it is kept in the audit log."
    ),
    # results
    "unknown_tally_rule": _("Unknown counting rule."),
    "already_published": _("The results are already published."),
    "count_frozen": _("The results are published and frozen: the ballots cannot be counted again."),
    "settings_frozen": _(
        "The results are published: the budget, the ballot kind, K, the points, the minimum "
        "support and the tie-break can no longer change."
    ),
    "area_budget_frozen": _("The results are published: the area's budget can no longer change."),
    "settings_locked": _(
        "Voting has opened: the budget, how the round is split, the ballot kind, K and the "
        "points can no longer change."
    ),
    "areas_locked": _(
        "Voting has opened: areas can no longer be added or removed, and their budgets can no "
        "longer change."
    ),
    "redraw_reason": _("Give a reason for drawing the lot again; it is kept in the audit log."),
    "no_lot": _("This round breaks ties by the listed order; there is no lot to draw."),
    "voting_not_closed": _("Ballots can be counted when voting has closed."),
    "nothing_counted": _("Count the ballots before publishing."),
    "decision_not_selected": _("Only selected projects get a council decision."),
    "unknown_decision": _("Choose the council's decision."),
    # follow-up
    "not_selected": _("Only selected projects are implemented."),
    "declined_not_implemented": _("The council declined this project; it is not implemented."),
    "unknown_implementation_status": _("Choose a status."),
    "progress_range": _("Progress is a number from 0 to 100."),
    "update_empty": _("Write a short text about what happened."),
    "photo_not_accepted": _("The photo must be a JPEG, PNG or WebP image of at most 5 MB."),
    "photo_url": _("A photo address must start with https:// (at most 256 characters)."),
    "broadcast_audience": _("Choose who gets the message."),
    "broadcast_swedish": _("Write the message in Swedish at least."),
    "broadcast_too_long": _("A message may be at most {limit} characters."),
    "broadcast_started": _("Sending has started; the message can no longer be withdrawn."),
    # moderation
    "comment_hidden": _("The comment is already hidden."),
    "comment_not_hidden": _("The comment is not hidden."),
    "no_open_flags": _("Nobody has flagged this comment since it was last reviewed."),
    # setup
    "slug_taken": _("Another round already uses this short name."),
    "round_budget_below_areas": _("The areas' budgets add up to more than this budget."),
    "unknown_phase": _("Unknown phase."),
    "area_name": _("Give the area a Swedish name."),
    "area_budget": _("Give the area's budget in whole kronor."),
    "areas_over_budget": _("The areas' budgets would exceed the round's budget of {budget}."),
    "area_in_use": _("The area has proposals or ballots and cannot be removed."),
    "criterion_name": _("Give the criterion a Swedish wording."),
    "criterion_in_use": _("Proposals were assessed against this criterion; keep it."),
    "campaign_tag": _("Use up to 62 letters, digits, hyphens and underscores."),
    "campaign_label": _("Describe where the link or QR code is used."),
    "campaign_tag_taken": _("This tag is already in use."),
    "code_count": _("Issue from 1 to {limit} codes at a time."),
    "code_area": _("Choose the whole round or one of its areas."),
    "code_form_stale": _("The form has expired. Nothing was issued; please try again."),
    "code_form_used": _(
        "These codes were already issued by the same form; nothing more was issued."
    ),
    "code_key_changed": _(
        "The server's secret key has changed since these codes were issued, so their letters "
        "cannot be made again. Revoke the batch's unused codes and issue new ones."
    ),
    "code_unknown": _("This round has no such voting code."),
    "code_already_revoked": _("This voting code is already revoked."),
    "code_nothing_to_revoke": _("The batch has no unused codes left to revoke."),
    "code_secret_key": _(
        "Voting codes need a fixed secret key (BUDGETBOT_SECRET_KEY): without it the letters "
        "could not be printed again after a restart."
    ),
    "unknown_role": _("Choose a role."),
    "last_admin": _("At least one active admin must remain."),
    "already_deactivated": _("The account is already deactivated."),
    "not_deactivated": _("The account is not deactivated."),
    "current_password_wrong": _("The current password is wrong."),
    "passwords_differ": _("The two new passwords differ."),
}
"""Every staff refusal by code, with the English msgid the staff member reads."""


def refusal(code: str, **params: Any) -> RuleViolation:
    """The ``RuleViolation`` for a staff rule, worded by ``REFUSALS``."""
    return RuleViolation(code, REFUSALS[code], **params)


# -- ballots -------------------------------------------------------------------------------


def check_ranking(round_: Round, area_id: int, proposal_ids: Sequence[int]) -> None:
    """The area is the round's, no project is ranked twice, the count is within the limits."""
    check_area(round_, area_id)
    if len(set(proposal_ids)) != len(proposal_ids):
        raise RuleViolation("duplicate_rank")
    if not round_.min_ranks <= len(proposal_ids) <= round_.max_ranks:
        raise RuleViolation("rank_count", minimum=round_.min_ranks, maximum=round_.max_ranks)


def check_approval(round_: Round, area_id: int, proposal_ids: Sequence[int]) -> None:
    """The area is the round's, no project is chosen twice, the count is within the limits."""
    check_area(round_, area_id)
    if len(set(proposal_ids)) != len(proposal_ids):
        raise RuleViolation("duplicate_choice")
    if not round_.min_ranks <= len(proposal_ids) <= round_.max_ranks:
        raise RuleViolation("choice_count", minimum=round_.min_ranks, maximum=round_.max_ranks)


def check_points(
    round_: Round, area_id: int, proposal_ids: Sequence[int], points: Sequence[int]
) -> None:
    """A cumulative ballot: distinct projects, each 1..M points, N points or fewer in all."""
    check_area(round_, area_id)
    if len(points) != len(proposal_ids):
        raise RuleViolation("points_mismatch")
    if not proposal_ids:
        raise RuleViolation("points_empty")
    if len(set(proposal_ids)) != len(proposal_ids):
        raise RuleViolation("duplicate_choice")
    if any(not 1 <= p <= round_.points_per_project for p in points):
        raise RuleViolation("points_per_project", maximum=round_.points_per_project)
    if sum(points) > round_.points_total:
        raise RuleViolation("points_total", maximum=round_.points_total, given=sum(points))


def check_ballot(
    round_: Round, area_id: int, proposal_ids: Sequence[int], points: Sequence[int] | None
) -> None:
    """The ballot obeys the rules of the round's kind (points only on cumulative ballots)."""
    if round_.ballot_kind == BallotKind.CUMULATIVE:
        check_points(round_, area_id, proposal_ids, points or [])
        return
    if points is not None:
        raise RuleViolation("points_not_allowed")
    if round_.ballot_kind == BallotKind.APPROVAL:
        check_approval(round_, area_id, proposal_ids)
    else:
        check_ranking(round_, area_id, proposal_ids)


def check_area(round_: Round, area_id: int) -> None:
    """The area is one of the round's."""
    if all(a.id != area_id for a in round_.areas):
        raise RuleViolation("unknown_area")


def votes_in_each_part(round_: Round) -> bool:
    """Whether a person has a ballot per theme (else one ballot in the round)."""
    return round_.split_kind == SplitKind.THEME and round_.one_ballot_per_part


def ballot_slot(round_: Round, area_id: int | None) -> int:
    """Which of a person's ballots one for ``area_id`` is: the theme's id where a person
    votes in each theme, else 0 (one ballot in the round, whatever its area)."""
    return area_id or 0 if votes_in_each_part(round_) else 0


def check_group(round_: Round, area_id: int, declared: int | None) -> None:
    """In a round split by groups a person votes only in the group they declared."""
    if round_.split_kind == SplitKind.GROUP and declared != area_id:
        raise RuleViolation("not_your_group")


def check_code_area(code_area_id: int | None, area_id: int) -> None:
    """A voting code issued for one area votes in that area only."""
    if code_area_id is not None and code_area_id != area_id:
        raise RuleViolation("voting_code_other_area")


def check_on_ballot(proposal_ids: Iterable[int], on_ballot: Collection[int]) -> None:
    """Every ranked project is on the area's ballot."""
    if any(pid not in on_ballot for pid in proposal_ids):
        raise RuleViolation("not_on_ballot")


# -- proposal statuses ---------------------------------------------------------------------

DECIDABLE = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.UNDER_REVIEW,
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
)
"""Statuses from which staff may still accept, reject or merge a proposal."""
MERGEABLE_INTO = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED)
"""Statuses a duplicate may be merged into: open (not yet decided) or accepted proposals."""
TITLE_MAX_LENGTH = 200
"""What staff may reword a title to (residents' limit is the round's ``title_max_length``)."""


def check_ballot_open(round_: Round) -> None:
    """Nothing about the ballot changes once the results are published."""
    if round_.results_published_at is not None:
        raise refusal("ballot_frozen")


def check_decidable(round_: Round, proposal: Proposal) -> None:
    """The ballot may still change and the proposal may still be accepted, rejected or merged."""
    check_ballot_open(round_)
    if proposal.status not in DECIDABLE:
        raise refusal("not_reviewable")


def may_decide(round_: Round, proposal: Proposal) -> bool:
    """True if staff may still accept, reject or merge the proposal."""
    return round_.results_published_at is None and proposal.status in DECIDABLE


def check_accept(round_: Round, proposal: Proposal) -> None:
    """A proposal not yet on the ballot may be put on it."""
    if proposal.status == ProposalStatus.ACCEPTED:
        raise refusal("already_accepted")
    check_decidable(round_, proposal)


def check_reject(round_: Round, proposal: Proposal, reason: str) -> None:
    """A proposal not yet rejected may be rejected, with a reason for its author."""
    if proposal.status == ProposalStatus.REJECTED:
        raise refusal("already_rejected")
    check_reason(reason, required=True)
    check_decidable(round_, proposal)


def may_merge_into(proposal: Proposal, target: Proposal) -> bool:
    """True if ``target`` is another open or accepted proposal of the same round and area."""
    return (
        target.id != proposal.id
        and target.round_id == proposal.round_id
        and target.area_id == proposal.area_id
        and target.status in MERGEABLE_INTO
    )


def merge_targets(proposal: Proposal, candidates: Iterable[Proposal]) -> list[Proposal]:
    """The candidates ``proposal`` may be merged into, in the given order."""
    return [c for c in candidates if may_merge_into(proposal, c)]


def check_merge(round_: Round, proposal: Proposal, target: Proposal | None) -> None:
    """A decidable proposal merges into another open or accepted proposal of the same round
    and area (never a rejected, merged or withdrawn one, never itself)."""
    check_decidable(round_, proposal)
    if target is None or not may_merge_into(proposal, target):
        raise refusal("merge_target")


def check_assessed(unassessed: Collection[int], override: bool, reason: str) -> None:
    """A proposal is accepted once every criterion is assessed, or by an explicit override
    with a reason (kept in the audit log)."""
    if not unassessed:
        return
    if not override:
        raise refusal("assessment_incomplete")
    if not reason:
        raise refusal("override_reason")


def check_reason(reason: str, required: bool) -> None:
    """A rejection (unlike an acceptance or merge) needs a reason for the author."""
    if required and not reason:
        raise refusal("reason_required")


def check_translations(swedish: str | None, translations: dict[str, str]) -> None:
    """A text in English or Arabic needs the Swedish one, which every other reader gets."""
    if any(translations.values()) and not swedish:
        raise refusal("swedish_required")


def check_proposal_text(title: str, description: str) -> None:
    """Staff's rewording of a proposal: neither part empty, the title not too long."""
    if not title or not description:
        raise refusal("proposal_text_empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise refusal("proposal_title_too_long", limit=TITLE_MAX_LENGTH)


def check_staff_cost(cost: int | None) -> None:
    """Staff's cost estimate is absent or not negative."""
    if cost is not None and cost < 0:
        raise refusal("cost_negative")


def check_council_decision(proposal: Proposal, decision: str) -> None:
    """Only selected projects get one of the council's decisions."""
    if proposal.status != ProposalStatus.SELECTED:
        raise refusal("decision_not_selected")
    if decision not in {d.value for d in CouncilDecision}:
        raise refusal("unknown_decision")


def check_implementation_update(
    proposal: Proposal, status: str, progress: int | None, body: str
) -> None:
    """A selected project's update: a known status, progress 0–100, some text."""
    if proposal.status != ProposalStatus.SELECTED:
        raise refusal("not_selected")
    if declined(proposal):
        raise refusal("declined_not_implemented")
    if status not in {s.value for s in ImplementationStatus}:
        raise refusal("unknown_implementation_status")
    if progress is None or not 0 <= progress <= 100:
        raise refusal("progress_range")
    if not body:
        raise refusal("update_empty")


DECLINED = "declined"
"""The standing of a selected project the council declined (not a stored status)."""


def declined(proposal: Proposal) -> bool:
    """True if the council declined the (selected) project."""
    return proposal.council_decision == CouncilDecision.DECLINED


def standing(proposal: Proposal) -> str:
    """The status as everyone should read it: a selected project the council declined is
    :data:`DECLINED`, not selected; otherwise the stored status."""
    if proposal.status == ProposalStatus.SELECTED and declined(proposal):
        return DECLINED
    return proposal.status


def being_implemented(proposal: Proposal) -> bool:
    """True for a selected project the council has not declined."""
    return proposal.status == ProposalStatus.SELECTED and not declined(proposal)


# -- budget shares -------------------------------------------------------------------------


def check_round_budget(area_budgets: Iterable[int], budget: int) -> None:
    """The round's budget is not below what its areas already have."""
    if sum(area_budgets) > budget:
        raise refusal("round_budget_below_areas")


def check_area_budget(round_: Round, area_id: int | None, budget: int | None) -> None:
    """A positive share that, with the other areas', stays within the round's budget; no
    area changes its share (and none is added) once the results are published."""
    if round_.results_published_at is not None:
        current = next((a.budget for a in round_.areas if a.id == area_id), None)
        if area_id is None or budget != current:
            raise refusal("area_budget_frozen")
    if budget is None or budget <= 0:
        raise refusal("area_budget")
    others = sum(a.budget for a in round_.areas if area_id is None or a.id != area_id)
    if others + budget > round_.budget:
        raise refusal("areas_over_budget", budget=round_.budget)


# -- phases --------------------------------------------------------------------------------

TALLY_RULES = ("greedy", "greedy-no-skip", "mes")
COUNTABLE = (Phase.DECISION, Phase.IMPLEMENTATION, Phase.FOLLOWUP, Phase.CLOSED)
"""Ballots are counted once voting has closed, never while it is open."""


def can_count(round_: Round, now: datetime) -> bool:
    """True if voting has closed and the results are not yet published."""
    return round_.results_published_at is None and current_phase(round_, now) in COUNTABLE


def check_count(round_: Round, rule: str, now: datetime) -> None:
    """A known counting rule, unpublished results, voting closed."""
    if rule not in TALLY_RULES:
        raise refusal("unknown_tally_rule")
    check_unpublished(round_, "count_frozen")
    if current_phase(round_, now) not in COUNTABLE:
        raise refusal("voting_not_closed")


def check_unpublished(round_: Round, code: str = "already_published") -> None:
    """Results are published once; after that they are frozen (``code`` says what is refused)."""
    if round_.results_published_at is not None:
        raise refusal(code)


def check_redraw(round_: Round, reason: str) -> None:
    """Staff may draw a round's lot again before publication, with a reason."""
    check_unpublished(round_, "count_frozen")
    if round_.tie_break != "lot":
        raise refusal("no_lot")
    if not reason.strip():
        raise refusal("redraw_reason")


VOTING_SETTINGS = (
    "budget",
    "split_kind",
    "one_ballot_per_part",
    "ballot_kind",
    "min_ranks",
    "max_ranks",
    "points_total",
    "points_per_project",
)
"""What ballots are cast under, so what cannot change once voting has opened (with the
areas and their budgets)."""
FROZEN_SETTINGS = (*VOTING_SETTINGS, "min_project_score", "tie_break")
"""What a published result rests on, so what cannot change after publication (with the
rule, recorded in the published counts, and the areas' budgets)."""
VOTING_OPENED = (Phase.VOTING, *COUNTABLE)


def settings_lock(round_: Round, now: datetime, ballots_cast: int) -> str | None:
    """Why the ballot settings are locked, as a refusal code: ``settings_frozen`` once the
    results are published, ``settings_locked`` once voting has opened (by its date, by a
    phase set by hand, or because a ballot was cast); None while they may still change."""
    if round_.results_published_at is not None:
        return "settings_frozen"
    if ballots_cast or current_phase(round_, now) in VOTING_OPENED:
        return "settings_locked"
    return None


def locked_settings(round_: Round, now: datetime, ballots_cast: int) -> frozenset[str]:
    """The round's settings staff can no longer change (see :func:`settings_lock`)."""
    lock = settings_lock(round_, now, ballots_cast)
    if lock is None:
        return frozenset()
    return frozenset(FROZEN_SETTINGS if lock == "settings_frozen" else VOTING_SETTINGS)


def check_settings_change(
    round_: Round, values: Mapping[str, Any], now: datetime, ballots_cast: int = 0
) -> None:
    """None of :func:`locked_settings` may change (the others, texts and dates, may)."""
    locked = locked_settings(round_, now, ballots_cast)
    if any(name in values and values[name] != getattr(round_, name) for name in locked):
        raise refusal(settings_lock(round_, now, ballots_cast) or "settings_locked")


def check_areas_change(
    round_: Round, area_id: int | None, budget: int | None, now: datetime, ballots_cast: int
) -> None:
    """Once voting has opened no area is added (``area_id`` None) or removed (``budget``
    None) and none changes its budget; renaming and reordering stay possible."""
    lock = settings_lock(round_, now, ballots_cast)
    if lock is None:
        return
    current = next((a.budget for a in round_.areas if a.id == area_id), None)
    if area_id is None or budget is None or budget != current:
        raise refusal(areas_lock_code(lock))


def areas_lock_code(lock: str) -> str:
    """The refusal about areas that goes with a :func:`settings_lock` code."""
    return "area_budget_frozen" if lock == "settings_frozen" else "areas_locked"


def check_phase_override(phase: str | None) -> None:
    """None (follow the dates) or a known phase."""
    if phase is not None and phase not in {p.value for p in Phase}:
        raise refusal("unknown_phase")


# -- moderation ----------------------------------------------------------------------------


def check_hide(comment: Comment, reason: str) -> None:
    """A visible comment is hidden with a reason for its author."""
    check_reason(reason, required=True)
    if comment.hidden_reason is not None:
        raise refusal("comment_hidden")


def check_show(comment: Comment) -> None:
    """Only a hidden comment can be shown again."""
    if comment.hidden_reason is None:
        raise refusal("comment_not_hidden")


# -- flagging (residents report comments) --------------------------------------------------

FLAG_REASONS = ("offensive", "personal_data", "spam", "off_topic", "other")
"""Why a resident reports a comment, as stored; the dialogs and the admin word them."""
FLAG_THRESHOLD_LIMIT = 100


def check_flag(comment: Comment, participant_id: int, reason: str, already: bool) -> None:
    """A resident flags a visible comment of someone else, once, with a listed reason."""
    if comment.hidden_reason is not None:
        raise RuleViolation("comment_unavailable")
    if comment.author_id == participant_id:
        raise RuleViolation("flag_own_comment")
    if already:
        raise RuleViolation("already_flagged")
    if reason not in FLAG_REASONS:
        raise RuleViolation("flag_reason_unknown")


def reaches_threshold(open_flags: int, threshold: int) -> bool:
    """True once ``threshold`` different residents have open flags on a comment."""
    return open_flags >= max(1, threshold)


def main_reason(reasons: Iterable[str]) -> str:
    """The reason given most often (ties: the one earlier in :data:`FLAG_REASONS`)."""
    counts = {r: 0 for r in FLAG_REASONS}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return max(FLAG_REASONS, key=lambda r: (counts[r], -FLAG_REASONS.index(r)))


def check_open_flags(open_flags: int) -> None:
    """Staff can only keep hidden or dismiss what residents flagged."""
    if open_flags == 0:
        raise refusal("no_open_flags")


# -- follow-up -----------------------------------------------------------------------------

BROADCAST_MAX_LENGTH = 3500
"""Leaves room under Telegram's 4096 characters per message."""
AUDIENCES = ("all", "area", "followers", "not_voted")
PHOTO_URL_MAX_LENGTH = 256


def broadcast_audience(kind: str, area_id: int | None, proposal_id: int | None) -> dict[str, Any]:
    """The outbox's audience filter for a choice on the form."""
    if kind == "all":
        return {}
    if kind == "area" and area_id is not None:
        return {"area_id": area_id}
    if kind == "followers" and proposal_id is not None:
        return {"followers_of": proposal_id}
    if kind == "not_voted":
        return {"voted": False}
    raise refusal("broadcast_audience")


def check_broadcast(
    round_: Round, texts: Mapping[str, str], audience: Mapping[str, Any], proposal_round: int | None
) -> None:
    """Swedish at least, none too long, an audience within the round."""
    if "sv" not in texts:
        raise refusal("broadcast_swedish")
    if any(len(t) > BROADCAST_MAX_LENGTH for t in texts.values()):
        raise refusal("broadcast_too_long", limit=BROADCAST_MAX_LENGTH)
    if "area_id" in audience and audience["area_id"] not in {a.id for a in round_.areas}:
        raise refusal("broadcast_audience")
    if "followers_of" in audience and proposal_round != round_.id:
        raise refusal("broadcast_audience")


def check_withdrawable(status: str, deliveries: int) -> None:
    """A broadcast can be withdrawn while it is pending and nobody has received it."""
    if status != "pending" or deliveries:
        raise refusal("broadcast_started")


def check_photo_url(url: str) -> None:
    """A photo address is https, short and without white space."""
    if (
        not url.startswith("https://")
        or len(url) > PHOTO_URL_MAX_LENGTH
        or any(c.isspace() for c in url)
    ):
        raise refusal("photo_url")


# -- setup ---------------------------------------------------------------------------------

CAMPAIGN_TAG = re.compile(r"^[A-Za-z0-9_-]{1,62}$")
"""Telegram's start parameter allows these characters; ``c_`` plus the tag fits 64."""


def check_swedish_name(names: Mapping[str, Mapping[str, str]], code: str) -> None:
    """Areas and criteria are named in Swedish at least."""
    if not names.get("sv", {}).get("name"):
        raise refusal(code)


def check_removable(used: int, code: str) -> None:
    """An area or criterion nothing refers to may be removed."""
    if used:
        raise refusal(code)


def check_campaign(tag: str, label: str) -> None:
    """A tag Telegram's start parameter accepts, and a label saying where it is used."""
    if not CAMPAIGN_TAG.match(tag):
        raise refusal("campaign_tag")
    if not label:
        raise refusal("campaign_label")


def check_staff_role(role: str) -> None:
    """One of the staff roles."""
    if role not in {r.value for r in StaffRole}:
        raise refusal("unknown_role")


def check_admins_left(active_admins: int) -> None:
    """What an admin does to a colleague (or themselves) leaves at least one active admin."""
    if active_admins < 1:
        raise refusal("last_admin")


# -- discussion ----------------------------------------------------------------------------

PUBLIC_NAME_MIN_LENGTH = 2
PUBLIC_NAME_MAX_LENGTH = 40
PSEUDONYM_BASE = 1000
PSEUDONYM_SPAN = 9000
PSEUDONYM_STEP = 4817
"""Coprime with the span: participants 1..9000 get 9000 different four-digit numbers."""
SUPPORTABLE = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED)
_ALLOWED_FORMAT = frozenset({"\u200d"})
"""The zero-width joiner: emoji sequences need it; every other invisible character is refused."""


def pseudonym_number(participant_id: int) -> int:
    """The stable four-digit number of a participant's pseudonym (``Invånare 4821``)."""
    return PSEUDONYM_BASE + (participant_id * PSEUDONYM_STEP) % PSEUDONYM_SPAN


def thread_root(comment: Comment) -> int:
    """The comment a reply to ``comment`` attaches to: threads are one level deep."""
    return comment.reply_to_id if comment.reply_to_id is not None else comment.id


def check_public_name(name: str, reserved: Collection[str]) -> None:
    """A chosen name: 2-40 characters, nothing invisible, not a pseudonym or the organisation.

    ``reserved`` are casefolded names (the organisation, "deleted user") and pseudonym
    words ("invånare"): a name equal to one, or a reserved word followed by a number, is
    refused, so nobody signs as staff or as someone else's pseudonym.
    """
    if not PUBLIC_NAME_MIN_LENGTH <= len(name) <= PUBLIC_NAME_MAX_LENGTH:
        raise RuleViolation(
            "public_name_length", minimum=PUBLIC_NAME_MIN_LENGTH, maximum=PUBLIC_NAME_MAX_LENGTH
        )
    if any(
        unicodedata.category(c)[0] in "CZ" and c != " " and c not in _ALLOWED_FORMAT for c in name
    ):
        raise RuleViolation("public_name_characters")
    folded = " ".join(name.casefold().split())
    head, _sep, tail = folded.rpartition(" ")
    if folded in reserved or (tail.isdigit() and head in reserved):
        raise RuleViolation("public_name_reserved")


def check_discussion_open(round_: Round, now: datetime) -> None:
    """Comments, replies and agreement are possible until the round closes."""
    if current_phase(round_, now) is Phase.CLOSED:
        raise RuleViolation("discussion_closed")


def check_agree(comment: Comment, participant_id: int) -> None:
    """Nobody agrees with their own comment."""
    if comment.author_id == participant_id:
        raise RuleViolation("agree_own")


def check_support(round_: Round, proposal: Proposal, participant_id: int, now: datetime) -> None:
    """An idea is supported in the ideas phase, by someone other than its author."""
    if current_phase(round_, now) is not Phase.IDEAS:
        raise RuleViolation("support_closed")
    if proposal.status not in SUPPORTABLE:
        raise RuleViolation("proposal_unavailable")
    if proposal.author_id == participant_id:
        raise RuleViolation("support_own")
