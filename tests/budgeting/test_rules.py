"""The round's rules as pure functions: plain objects in, a RuleViolation (or nothing) out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from budgeting.models import Area, Comment, Proposal, ProposalStatus, Round
from budgeting.phases import Phase, current_phase, schedule
from budgeting.services import rules
from budgeting.services.errors import RuleViolation

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
S = ProposalStatus


def a_round(budget: int = 1000, areas: tuple[int, ...] = (400, 300), **fields) -> Round:
    """A round (not stored) in the voting phase with areas 1, 2, … of these budgets."""
    round_ = Round(
        id=1,
        slug="r",
        budget=budget,
        min_ranks=1,
        max_ranks=3,
        results_published_at=None,
        areas=[Area(id=i, round_id=1, budget=b) for i, b in enumerate(areas, 1)],
    )
    schedule(round_, Phase.VOTING, NOW)
    for name, value in fields.items():
        setattr(round_, name, value)
    return round_


def a_proposal(pid: int = 10, status: str = S.SUBMITTED, area_id: int = 1, round_id: int = 1):
    return Proposal(id=pid, round_id=round_id, area_id=area_id, status=status)


def refused(check: Callable[..., object], *args: object) -> RuleViolation:
    """The violation ``check(*args)`` raises."""
    with pytest.raises(RuleViolation) as error:
        check(*args)
    return error.value


def test_the_round_helper_is_in_voting() -> None:
    assert current_phase(a_round(), NOW) is Phase.VOTING


# -- ranking validity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area_id", "ranking", "code"),
    [
        (9, [1], "unknown_area"),
        (1, [1, 1], "duplicate_rank"),
        (1, [], "rank_count"),
        (1, [1, 2, 3, 4], "rank_count"),
    ],
)
def test_a_ranking_breaking_the_ballot_rules_is_refused(
    area_id: int, ranking: list[int], code: str
) -> None:
    error = refused(lambda: rules.check_ranking(a_round(), area_id, ranking))
    assert error.code == code
    assert error.message is None  # the dialogs word it for the participant
    if code == "rank_count":
        assert error.params == {"minimum": 1, "maximum": 3}


def test_duplicates_are_found_before_the_count() -> None:
    assert refused(lambda: rules.check_ranking(a_round(), 1, [1, 1, 2, 3])).code == "duplicate_rank"


@pytest.mark.parametrize("ranking", [[1], [3, 1], [1, 2, 3]])
def test_a_ranking_within_the_limits_passes(ranking: list[int]) -> None:
    rules.check_ranking(a_round(), 1, ranking)
    rules.check_on_ballot(ranking, {1, 2, 3})


def test_only_projects_on_the_areas_ballot_can_be_ranked() -> None:
    assert refused(lambda: rules.check_on_ballot([1, 7], {1, 2})).code == "not_on_ballot"


# -- proposal status transitions -----------------------------------------------------------


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.REJECTED])
def test_open_proposals_may_be_accepted(status: str) -> None:
    rules.check_accept(a_round(), a_proposal(status=status))


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED])
def test_open_proposals_may_be_rejected_with_a_reason(status: str) -> None:
    rules.check_reject(a_round(), a_proposal(status=status), "too costly")


@pytest.mark.parametrize("status", [S.MERGED, S.WITHDRAWN, S.SELECTED, S.NOT_SELECTED])
def test_settled_proposals_can_no_longer_be_decided(status: str) -> None:
    round_, proposal = a_round(), a_proposal(status=status)
    for check in (
        lambda: rules.check_accept(round_, proposal),
        lambda: rules.check_reject(round_, proposal, "why"),
        lambda: rules.check_merge(round_, proposal, a_proposal(11)),
    ):
        assert refused(check).code == "not_reviewable"
    assert not rules.may_decide(round_, proposal)


def test_accepting_twice_or_rejecting_twice_is_refused_first() -> None:
    round_ = a_round(results_published_at=NOW)
    assert refused(lambda: rules.check_accept(round_, a_proposal(status=S.ACCEPTED))).code == (
        "already_accepted"
    )
    rejected = a_proposal(status=S.REJECTED)
    assert refused(lambda: rules.check_reject(round_, rejected, "")).code == "already_rejected"


def test_a_rejection_needs_a_reason_before_anything_else_is_checked() -> None:
    round_ = a_round(results_published_at=NOW)
    assert refused(lambda: rules.check_reject(round_, a_proposal(), "")).code == "reason_required"
    assert refused(lambda: rules.check_reject(round_, a_proposal(), "x")).code == "ballot_frozen"


@pytest.mark.parametrize(
    "target",
    [
        None,
        a_proposal(10),  # itself
        a_proposal(11, round_id=2),
        a_proposal(11, area_id=2),
        a_proposal(11, status=S.MERGED),
        a_proposal(11, status=S.WITHDRAWN),
        a_proposal(11, status=S.REJECTED),
    ],
)
def test_a_merge_needs_another_open_or_accepted_proposal_of_the_same_area(
    target: Proposal | None,
) -> None:
    error = refused(lambda: rules.check_merge(a_round(), a_proposal(10), target))
    assert error.code == "merge_target"
    assert error.message == (
        "Choose another open or accepted proposal of the same round and area to merge into."
    )


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED])
def test_a_merge_into_an_open_or_accepted_proposal_passes(status: str) -> None:
    rules.check_merge(a_round(), a_proposal(10), a_proposal(11, status=status))


def test_the_merge_targets_offered_are_the_ones_a_merge_accepts() -> None:
    proposal = a_proposal(10)
    candidates = [
        proposal,
        a_proposal(11, status=S.ACCEPTED),
        a_proposal(12, status=S.REJECTED),
        a_proposal(13, status=S.MERGED),
        a_proposal(14, status=S.WITHDRAWN),
        a_proposal(15, round_id=2),
        a_proposal(16, area_id=2),
        a_proposal(17, status=S.UNDER_REVIEW),
    ]
    assert [p.id for p in rules.merge_targets(proposal, candidates)] == [11, 17]


def test_accepting_needs_every_criterion_assessed_or_an_override_with_a_reason() -> None:
    rules.check_assessed([], override=False, reason="")
    assert refused(lambda: rules.check_assessed([3], False, "")).code == "assessment_incomplete"
    assert refused(lambda: rules.check_assessed([3], False, "why")).code == (
        "assessment_incomplete"
    )
    assert refused(lambda: rules.check_assessed([3], True, "")).code == "override_reason"
    rules.check_assessed([3, 4], override=True, reason="The council asked for it at once")


def test_a_project_the_council_declined_stands_as_declined() -> None:
    selected = a_proposal(status=S.SELECTED)
    assert rules.standing(selected) == S.SELECTED and rules.being_implemented(selected)
    selected.council_decision = "approved"
    assert rules.standing(selected) == S.SELECTED and rules.being_implemented(selected)
    selected.council_decision = "declined"
    assert rules.standing(selected) == rules.DECLINED and rules.declined(selected)
    assert not rules.being_implemented(selected)
    assert rules.standing(a_proposal(status=S.ACCEPTED)) == S.ACCEPTED
    refusal = refused(lambda: rules.check_implementation_update(selected, "planning", 10, "x"))
    assert refusal.code == "declined_not_implemented"


def test_council_decisions_and_updates_are_for_selected_projects_only() -> None:
    submitted, selected = a_proposal(), a_proposal(status=S.SELECTED)
    assert refused(lambda: rules.check_council_decision(submitted, "approved")).code == (
        "decision_not_selected"
    )
    assert refused(lambda: rules.check_council_decision(selected, "maybe")).code == (
        "unknown_decision"
    )
    rules.check_council_decision(selected, "approved")
    update = rules.check_implementation_update
    assert refused(lambda: update(submitted, "in_progress", 10, "x")).code == "not_selected"
    assert refused(lambda: update(selected, "stuck", 10, "x")).code == (
        "unknown_implementation_status"
    )
    assert refused(lambda: update(selected, "in_progress", 101, "x")).code == "progress_range"
    assert refused(lambda: update(selected, "in_progress", None, "x")).code == "progress_range"
    assert refused(lambda: update(selected, "in_progress", 10, "")).code == "update_empty"
    update(selected, "in_progress", 0, "Work has begun.")


def test_staff_rewording_and_cost() -> None:
    assert refused(lambda: rules.check_proposal_text("", "d")).code == "proposal_text_empty"
    error = refused(lambda: rules.check_proposal_text("t" * 201, "d"))
    assert (error.code, error.params) == ("proposal_title_too_long", {"limit": 200})
    rules.check_proposal_text("t" * 200, "d")
    assert refused(lambda: rules.check_staff_cost(-1)).code == "cost_negative"
    rules.check_staff_cost(None)
    rules.check_staff_cost(0)


# -- budget shares -------------------------------------------------------------------------


def test_the_round_budget_may_not_fall_below_its_areas() -> None:
    assert refused(lambda: rules.check_round_budget([400, 300], 699)).code == (
        "round_budget_below_areas"
    )
    rules.check_round_budget([400, 300], 700)
    rules.check_round_budget([], 0)


def test_areas_share_the_round_budget() -> None:
    round_ = a_round(budget=1000, areas=(400, 300))
    rules.check_area_budget(round_, None, 300)  # a new area fills the rest exactly
    rules.check_area_budget(round_, 1, 700)  # area 1 grows into the rest
    error = refused(lambda: rules.check_area_budget(round_, None, 301))
    assert (error.code, error.params) == ("areas_over_budget", {"budget": 1000})
    assert refused(lambda: rules.check_area_budget(round_, 2, 601)).code == "areas_over_budget"
    for budget in (None, 0, -5):
        assert refused(rules.check_area_budget, round_, None, budget).code == ("area_budget")


# -- what may change in which phase --------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.IDEAS, Phase.REVIEW, Phase.VOTING])
def test_ballots_are_not_counted_before_voting_has_closed(phase: Phase) -> None:
    round_ = a_round(phase_override=phase.value)
    assert not rules.can_count(round_, NOW)
    assert refused(lambda: rules.check_count(round_, "greedy", NOW)).code == "voting_not_closed"


@pytest.mark.parametrize("phase", rules.COUNTABLE)
def test_ballots_are_counted_once_voting_has_closed(phase: Phase) -> None:
    round_ = a_round(phase_override=phase.value)
    assert rules.can_count(round_, NOW)
    for rule in rules.TALLY_RULES:
        rules.check_count(round_, rule, NOW)
    assert refused(lambda: rules.check_count(round_, "borda", NOW)).code == "unknown_tally_rule"


def test_nothing_about_the_ballot_changes_after_publication() -> None:
    round_ = a_round(phase_override=Phase.DECISION.value, results_published_at=NOW)
    assert not rules.can_count(round_, NOW)
    assert refused(lambda: rules.check_count(round_, "mes", NOW)).code == "count_frozen"
    assert refused(lambda: rules.check_unpublished(round_)).code == "already_published"
    assert refused(lambda: rules.check_redraw(round_, "a mistake")).code == "count_frozen"
    for check in (
        lambda: rules.check_accept(round_, a_proposal()),
        lambda: rules.check_reject(round_, a_proposal(), "why"),
        lambda: rules.check_merge(round_, a_proposal(10), a_proposal(11)),
    ):
        assert refused(check).code == "ballot_frozen"
    assert not rules.may_decide(round_, a_proposal())
    assert rules.may_decide(a_round(), a_proposal())


def test_the_settings_a_result_rests_on_are_frozen_after_publication() -> None:
    open_round, published = a_round(), a_round(results_published_at=NOW)
    schedule(open_round, Phase.REVIEW, NOW)
    same = {name: getattr(published, name) for name in rules.FROZEN_SETTINGS}
    rules.check_settings_change(published, {**same, "slug": "renamed"}, NOW)
    for name, value in (
        ("budget", 2000),
        ("max_ranks", 5),
        ("min_ranks", 2),
        ("ballot_kind", "approval"),
        ("points_total", 20),
        ("points_per_project", 2),
        ("min_project_score", 10),
        ("tie_break", "listed"),
    ):
        rules.check_settings_change(open_round, {**same, name: value}, NOW)
        changed = {**same, name: value}
        assert refused(lambda c=changed: rules.check_settings_change(published, c, NOW)).code == (
            "settings_frozen"
        )
    rules.check_area_budget(open_round, 1, 500)
    rules.check_area_budget(published, 1, 400)  # saving a renamed area keeps its budget
    assert refused(lambda: rules.check_area_budget(published, 1, 500)).code == "area_budget_frozen"
    assert refused(lambda: rules.check_area_budget(published, None, 1)).code == (
        "area_budget_frozen"
    )


@pytest.mark.parametrize("phase", [Phase.IDEAS, Phase.REVIEW])
def test_the_ballot_settings_and_areas_may_change_before_voting_opens(phase: Phase) -> None:
    round_ = a_round()
    schedule(round_, phase, NOW)
    assert rules.settings_lock(round_, NOW, 0) is None
    assert rules.locked_settings(round_, NOW, 0) == frozenset()
    rules.check_settings_change(round_, {"budget": 5000, "ballot_kind": "approval"}, NOW)
    rules.check_areas_change(round_, None, 100, NOW, 0)
    rules.check_areas_change(round_, 1, 500, NOW, 0)
    rules.check_areas_change(round_, 1, None, NOW, 0)


@pytest.mark.parametrize(
    "lock_it",
    [
        lambda r: schedule(r, Phase.VOTING, NOW),  # by its date
        lambda r: schedule(r, Phase.DECISION, NOW),
        lambda r: setattr(r, "phase_override", "voting"),  # by hand
    ],
)
def test_what_ballots_are_cast_under_is_locked_once_voting_opens(lock_it) -> None:
    round_ = a_round()
    schedule(round_, Phase.REVIEW, NOW)
    lock_it(round_)
    assert rules.settings_lock(round_, NOW, 0) == "settings_locked"
    assert rules.locked_settings(round_, NOW, 0) == frozenset(rules.VOTING_SETTINGS)
    same = {name: getattr(round_, name) for name in rules.FROZEN_SETTINGS}
    rules.check_settings_change(round_, {**same, "slug": "renamed", "tie_break": "listed"}, NOW)
    for name, value in (
        ("budget", 2000),
        ("ballot_kind", "approval"),
        ("min_ranks", 2),
        ("max_ranks", 5),
        ("points_total", 20),
        ("points_per_project", 2),
    ):
        changed = {**same, name: value}
        error = refused(lambda c=changed: rules.check_settings_change(round_, c, NOW))
        assert error.code == "settings_locked"
        assert error.message.startswith("Voting has opened")
    rules.check_areas_change(round_, 1, 400, NOW, 0)  # renaming keeps the budget
    for area_id, budget in ((1, 500), (None, 100), (1, None)):
        error = refused(lambda a=area_id, b=budget: rules.check_areas_change(round_, a, b, NOW, 0))
        assert error.code == "areas_locked"


def test_a_cast_ballot_keeps_the_settings_locked_when_the_phase_is_moved_back() -> None:
    round_ = a_round()
    schedule(round_, Phase.REVIEW, NOW)
    assert rules.settings_lock(round_, NOW, 1) == "settings_locked"
    assert rules.settings_lock(a_round(results_published_at=NOW), NOW, 1) == "settings_frozen"


def test_a_lot_is_redrawn_only_with_a_reason_and_only_for_a_lot() -> None:
    round_ = a_round(tie_break="lot")
    rules.check_redraw(round_, "The seed was read out wrong at the meeting")
    assert refused(lambda: rules.check_redraw(round_, "  ")).code == "redraw_reason"
    listed = a_round(tie_break="listed")
    assert refused(lambda: rules.check_redraw(listed, "why")).code == "no_lot"


def test_a_phase_override_is_a_known_phase_or_none() -> None:
    rules.check_phase_override(None)
    for phase in Phase:
        rules.check_phase_override(phase.value)
    assert refused(lambda: rules.check_phase_override("holiday")).code == "unknown_phase"


# -- moderation, follow-up, setup ----------------------------------------------------------


def test_hiding_and_showing_comments() -> None:
    visible, hidden = Comment(hidden_reason=None), Comment(hidden_reason="rude")
    assert refused(lambda: rules.check_hide(visible, "")).code == "reason_required"
    assert refused(lambda: rules.check_hide(hidden, "again")).code == "comment_hidden"
    assert refused(lambda: rules.check_show(visible)).code == "comment_not_hidden"
    rules.check_hide(visible, "off topic")
    rules.check_show(hidden)


def test_broadcast_audiences_and_texts() -> None:
    round_ = a_round()
    assert rules.broadcast_audience("all", None, None) == {}
    assert rules.broadcast_audience("area", 2, None) == {"area_id": 2}
    assert rules.broadcast_audience("followers", None, 5) == {"followers_of": 5}
    assert rules.broadcast_audience("not_voted", None, None) == {"voted": False}
    for kind, area, proposal in [("area", None, None), ("followers", 1, None), ("x", 1, 1)]:
        error = refused(rules.broadcast_audience, kind, area, proposal)
        assert error.code == "broadcast_audience"
    check = rules.check_broadcast
    assert refused(lambda: check(round_, {"en": "Hi"}, {}, None)).code == "broadcast_swedish"
    error = refused(lambda: check(round_, {"sv": "x" * 3501}, {}, None))
    assert (error.code, error.params) == ("broadcast_too_long", {"limit": 3500})
    assert refused(lambda: check(round_, {"sv": "Hej"}, {"area_id": 9}, None)).code == (
        "broadcast_audience"
    )
    assert refused(lambda: check(round_, {"sv": "Hej"}, {"followers_of": 5}, 2)).code == (
        "broadcast_audience"
    )
    check(round_, {"sv": "x" * 3500}, {"area_id": 1}, None)
    check(round_, {"sv": "Hej"}, {"followers_of": 5}, 1)
    assert refused(lambda: rules.check_withdrawable("pending", 1)).code == "broadcast_started"
    assert refused(lambda: rules.check_withdrawable("sent", 0)).code == "broadcast_started"
    rules.check_withdrawable("pending", 0)


@pytest.mark.parametrize(
    "url", ["http://x.example/a.jpg", "https://x.example/a b.jpg", "https://" + "x" * 250]
)
def test_photo_addresses_are_short_https_urls(url: str) -> None:
    assert refused(lambda: rules.check_photo_url(url)).code == "photo_url"


def test_setup_rules() -> None:
    assert refused(
        lambda: rules.check_swedish_name({"en": {"name": "North"}}, "area_name")
    ).code == ("area_name")
    rules.check_swedish_name({"sv": {"name": "Norr"}}, "criterion_name")
    assert refused(lambda: rules.check_removable(2, "area_in_use")).code == "area_in_use"
    rules.check_removable(0, "criterion_in_use")
    assert refused(lambda: rules.check_campaign("with space", "Posters")).code == "campaign_tag"
    assert refused(lambda: rules.check_campaign("x" * 63, "Posters")).code == "campaign_tag"
    assert refused(lambda: rules.check_campaign("library-2026", "")).code == "campaign_label"
    rules.check_campaign("library_2026", "Posters in the library")
    assert refused(lambda: rules.check_staff_role("owner")).code == "unknown_role"
    rules.check_staff_role("moderator")


def test_every_staff_refusal_carries_its_msgid() -> None:
    for code, msgid in rules.REFUSALS.items():
        error = rules.refusal(code, limit=1, budget=1, error="e")
        assert (error.code, error.message) == (code, msgid)
        assert msgid.format(limit=1, budget=1, error="e")


def test_rule_violation_keeps_the_dialogs_calls() -> None:
    error = RuleViolation("title_too_long", length=130, limit=120)
    assert (error.code, error.message, error.params) == (
        "title_too_long",
        None,
        {"length": 130, "limit": 120},
    )
    assert RuleViolation("x", "Msg {message}", message="m").params == {"message": "m"}


@pytest.mark.parametrize(
    ("kind", "chosen", "points", "code"),
    [
        ("approval", [1, 1], None, "duplicate_choice"),
        ("approval", [], None, "choice_count"),
        ("approval", [1, 2, 3, 4], None, "choice_count"),
        ("approval", [1], [1], "points_not_allowed"),
        ("ranked", [1], [1], "points_not_allowed"),
        ("cumulative", [], [], "points_empty"),
        ("cumulative", [1], None, "points_mismatch"),
        ("cumulative", [1, 1], [1, 1], "duplicate_choice"),
        ("cumulative", [1], [6], "points_per_project"),
        ("cumulative", [1, 2], [5, 0], "points_per_project"),
        ("cumulative", [1, 2, 3], [4, 4, 3], "points_total"),
    ],
)
def test_approval_and_cumulative_ballots_breaking_the_rules_are_refused(
    kind: str, chosen: list[int], points: list[int] | None, code: str
) -> None:
    round_ = a_round(ballot_kind=kind, points_total=10, points_per_project=5)
    error = refused(lambda: rules.check_ballot(round_, 1, chosen, points))
    assert error.code == code and error.message is None


def test_ballots_within_the_rules_pass() -> None:
    rules.check_ballot(a_round(ballot_kind="approval"), 1, [1, 2, 3], None)
    cumulative = a_round(ballot_kind="cumulative", points_total=10, points_per_project=5)
    rules.check_ballot(cumulative, 1, [1, 2, 3], [5, 4, 1])
    rules.check_ballot(cumulative, 1, [1], [1])  # fewer than all points is allowed
    assert refused(lambda: rules.check_ballot(cumulative, 9, [1], [1])).code == "unknown_area"


# -- discussion ----------------------------------------------------------------------------


def test_pseudonyms_are_stable_four_digit_numbers_and_distinct() -> None:
    from budgeting.services.rules import pseudonym_number

    numbers = [pseudonym_number(pid) for pid in range(1, 9001)]
    assert len(set(numbers)) == 9000
    assert all(1000 <= n <= 9999 for n in numbers)
    assert pseudonym_number(42) == pseudonym_number(42)


def test_public_names() -> None:
    from budgeting.services.rules import check_public_name

    reserved = {"invånare", "resident", "säters kommun", "deleted user"}
    for fine in ("Anna", "Anna på torget 🌳", "Fay 👩‍👩‍👧", "ليلى", "Anna 1985"):
        check_public_name(fine, reserved)
    for bad, code in [
        ("A", "public_name_length"),
        ("x" * 41, "public_name_length"),
        ("Anna\nBerg", "public_name_characters"),
        ("\u202eAnna", "public_name_characters"),
        ("Anna\u200b", "public_name_characters"),
        ("Invånare 4821", "public_name_reserved"),
        ("RESIDENT 12", "public_name_reserved"),
        ("Säters  Kommun", "public_name_reserved"),
        ("deleted user", "public_name_reserved"),
    ]:
        with pytest.raises(RuleViolation) as raised:
            check_public_name(bad, reserved)
        assert raised.value.code == code, bad


def test_support_only_in_ideas_phase_and_not_ones_own() -> None:
    ideas = a_round()
    schedule(ideas, Phase.IDEAS, NOW)
    idea = a_proposal()
    idea.author_id = 7
    rules.check_support(ideas, idea, 8, NOW)
    assert refused(rules.check_support, ideas, idea, 7, NOW).code == "support_own"
    assert refused(rules.check_support, a_round(), idea, 8, NOW).code == "support_closed"
    gone = a_proposal(status=S.REJECTED)
    assert refused(rules.check_support, ideas, gone, 8, NOW).code == "proposal_unavailable"


def test_threads_are_one_level_deep_and_nobody_agrees_with_themselves() -> None:
    top = Comment(id=1, author_id=7)
    reply = Comment(id=2, author_id=8, reply_to_id=1)
    assert rules.thread_root(top) == 1 and rules.thread_root(reply) == 1
    rules.check_agree(top, 8)
    assert refused(rules.check_agree, top, 7).code == "agree_own"


def test_a_code_for_one_area_votes_there_only() -> None:
    rules.check_code_area(None, 7)
    rules.check_code_area(7, 7)
    with pytest.raises(RuleViolation) as refused:
        rules.check_code_area(7, 8)
    assert refused.value.code == "voting_code_other_area"
