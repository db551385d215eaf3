"""The pabulib reader and writer, on the real Kraków files and on hand-made text."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgeting.pabulib import (
    PABULIB_RULES,
    PabulibInstance,
    pabulib_from_tally_input,
    pabulib_rule,
    parse_amount,
    parse_pabulib,
    rule_from_pabulib,
    tally_input_from_pabulib,
    tally_pabulib,
    write_pabulib,
)
from budgeting.tally import (
    APPROVAL,
    CUMULATIVE,
    GREEDY,
    GREEDY_NO_SKIP,
    MES,
    ORDINAL,
    RULES,
    TallyInput,
    TallyProject,
    project_points,
    run_tally,
)
from tests.budgeting.elections import krakow_files, selected_files

SMALL = '''META
key;value
description;A small test
budget;100
vote_type;ordinal
max_length;2
PROJECTS
project_id;cost;name
b;60;"Park ""Zielony"""
a;40;"Bench; by the pond"
c;50;
VOTES
voter_id;vote
1;a,b
2;b
3;c,a
'''


@pytest.mark.parametrize("path", krakow_files(), ids=lambda p: p.stem)
def test_reads_every_krakow_file(path: Path, pabulib_dir: Path) -> None:
    instance = parse_pabulib(path)
    assert len(instance.projects) == int(instance.meta["num_projects"])
    assert len(instance.votes) == int(instance.meta["num_votes"])
    assert instance.vote_type == "ordinal"
    assert instance.budget > 0
    assert instance.max_length == 3
    assert all(len(b) == 3 for b in instance.ballots)
    assert instance.scores is not None
    if "2019" in path.stem:
        assert instance.selected_ids


@pytest.mark.parametrize("path", krakow_files(), ids=lambda p: p.stem)
def test_writes_every_krakow_file_back_unchanged(path: Path, pabulib_dir: Path) -> None:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    assert write_pabulib(parse_pabulib(text)) == text


def test_keeps_file_order_and_strings(pabulib_dir: Path) -> None:
    instance = parse_pabulib(pabulib_dir / "Poland_Krakow_2019_Bienczyce.pb")
    assert instance.project_ids == ["3", "4", "2", "20", "11", "6", "17", "10", "14"]
    assert instance.project_columns == ["project_id", "cost", "votes", "score", "name", "selected"]
    assert instance.projects[0]["cost"] == "250000"
    assert instance.votes[0] == {"voter_id": "12", "vote": "4,11,14", "voting_method": "internet"}
    assert instance.meta["district"] == "Bieńczyce"
    assert instance.cost("14") == 28618
    assert instance.selected_ids == ["3", "4", "2", "20", "6", "17", "10"]


def test_quoted_names(pabulib_dir: Path) -> None:
    instance = parse_pabulib(pabulib_dir / "Poland_Krakow_2018_Bronowice.pb")
    names = [row["name"] for row in instance.projects]
    assert 'Bronowice na "6"' in names


def test_parses_text_and_path_alike(tmp_path: Path) -> None:
    path = tmp_path / "small.pb"
    path.write_text("\ufeff" + SMALL.replace("\n", "\r\n"), encoding="utf-8")
    from_text = parse_pabulib(SMALL)
    assert parse_pabulib(path) == from_text
    assert parse_pabulib(str(path)) == from_text
    assert from_text.project("b")["name"] == 'Park "Zielony"'
    assert from_text.project("a")["name"] == "Bench; by the pond"
    assert from_text.ballots == [("a", "b"), ("b",), ("c", "a")]
    assert from_text.selected_ids is None and from_text.scores is None


def test_short_rows_are_padded_and_long_rows_rejected() -> None:
    padded = parse_pabulib(SMALL.replace("c;50;", "c;50"))
    assert padded.project("c") == {"project_id": "c", "cost": "50", "name": ""}
    with pytest.raises(ValueError, match="more cells"):
        parse_pabulib(SMALL.replace("2;b", "2;b;extra"))


def test_rejects_malformed_files() -> None:
    with pytest.raises(ValueError, match="before the META"):
        parse_pabulib("x;y\nMETA\nkey;value\n")
    with pytest.raises(ValueError, match="project_id"):
        parse_pabulib("META\nkey;value\nbudget;1\nPROJECTS\nid;cost\n")


def test_tally_input_from_file_order() -> None:
    inp = tally_input_from_pabulib(parse_pabulib(SMALL))
    assert [p.id for p in inp.projects] == ["b", "a", "c"]
    assert inp.projects[0] == TallyProject("b", 60, 'Park "Zielony"')
    assert inp.budget == 100
    assert inp.max_ranks == 2
    assert inp.ballots == (("a", "b"), ("b",), ("c", "a"))


def test_max_ranks_defaults_to_the_longest_ballot() -> None:
    inp = tally_input_from_pabulib(parse_pabulib(SMALL.replace("max_length;2\n", "")))
    assert inp.max_ranks == 2


def test_unknown_vote_types_are_refused() -> None:
    with pytest.raises(ValueError, match="'scoring'.*ordinal, approval, choose-1, cumulative"):
        tally_input_from_pabulib(parse_pabulib(SMALL.replace("ordinal", "scoring")))


def test_unknown_projects_in_votes_are_rejected() -> None:
    inp = tally_input_from_pabulib(parse_pabulib(SMALL.replace("3;c,a", "3;c,z")))
    with pytest.raises(ValueError, match="unknown"):
        run_tally(inp)


def test_amounts() -> None:
    assert parse_amount("1000") == 1000
    assert parse_amount(" 1000.00 ") == 1000
    assert parse_amount("1000,0") == 1000
    with pytest.raises(ValueError, match="whole"):
        parse_amount("10.5")
    with pytest.raises(ValueError, match="not a number"):
        parse_amount("ten")


def test_tally_input_round_trips_through_pabulib() -> None:
    inp = TallyInput(
        projects=(TallyProject("7", 300, "Swings; new"), TallyProject("2", 150, 'A "bench"')),
        budget=400,
        ballots=(("2", "7"), ("7",), ()),
        max_ranks=3,
    )
    instance = pabulib_from_tally_input(inp, {"currency": "SEK"}, voter_ids=["x1", "x2", "x3"])
    text = write_pabulib(instance)
    again = parse_pabulib(text)
    assert again.meta["currency"] == "SEK"
    assert [v["voter_id"] for v in again.votes] == ["x1", "x2", "x3"]
    assert tally_input_from_pabulib(again) == inp
    with pytest.raises(ValueError, match="one voter id"):
        pabulib_from_tally_input(inp, voter_ids=["x1"])


def test_columns_come_from_rows_when_not_given() -> None:
    instance = PabulibInstance(
        meta={"budget": "10"},
        projects=[{"project_id": "1", "cost": "5"}, {"project_id": "2", "cost": "5", "name": "B"}],
        votes=[{"voter_id": "1", "vote": "1,2"}],
    )
    again = parse_pabulib(write_pabulib(instance))
    assert again.project_columns == ["project_id", "cost", "name"]
    assert again.project("1")["name"] == ""


def test_pabutools_reads_what_we_write() -> None:
    from pabutools.election.pabulib import parse_pabulib_from_string

    inp = tally_input_from_pabulib(parse_pabulib(SMALL))
    instance, profile = parse_pabulib_from_string(write_pabulib(pabulib_from_tally_input(inp)))
    assert sorted(p.name for p in instance) == ["a", "b", "c"]
    assert instance.budget_limit == 100
    assert [[p.name for p in ballot] for ballot in profile] == [["a", "b"], ["b"], ["c", "a"]]


APPROVAL_TEXT = """META
key;value
budget;100
vote_type;approval
rule;greedy-no-skip
max_length;2
min_project_score_threshold;2
PROJECTS
project_id;cost;name
b;60;B
a;40;A
c;30;C
VOTES
voter_id;vote
1;a,b
2;b
3;c,b
4;a
"""

CUMULATIVE_TEXT = """META
key;value
budget;100
vote_type;cumulative
rule;greedy-threshold
min_sum_points;1
max_sum_points;5
min_project_score_threshold;4
PROJECTS
project_id;cost
b;60
a;40
c;30
VOTES
voter_id;vote;points
1;a,b;3,2
2;b;5
3;c,a;2,1
"""


def test_reads_approval_ballots() -> None:
    instance = parse_pabulib(APPROVAL_TEXT)
    inp = tally_input_from_pabulib(instance)
    assert (inp.kind, inp.max_ranks, inp.min_score, inp.points) == (APPROVAL, 2, 2, None)
    assert inp.ballots == (("a", "b"), ("b",), ("c", "b"), ("a",))
    assert instance.rule == GREEDY_NO_SKIP
    assert project_points(inp) == {"b": 3, "a": 2, "c": 1}
    # b (3 votes, 60) fits, a (2 votes, 40) fits; c has 1 vote, under the threshold of 2
    assert run_tally(inp, instance.rule).selected == ("b", "a")


def test_choose_1_is_approval_of_one_project() -> None:
    text = APPROVAL_TEXT.replace("approval", "choose-1").replace("max_length;2\n", "")
    text = text.replace("1;a,b", "1;a").replace("3;c,b", "3;c")
    inp = tally_input_from_pabulib(parse_pabulib(text))
    assert (inp.kind, inp.max_ranks) == (APPROVAL, 1)
    inp.validate()
    too_many = tally_input_from_pabulib(parse_pabulib(text.replace("1;a", "1;a,b")))
    with pytest.raises(ValueError, match="more than 1"):
        too_many.validate()


def test_reads_cumulative_ballots_with_their_points() -> None:
    instance = parse_pabulib(CUMULATIVE_TEXT)
    inp = tally_input_from_pabulib(instance)
    assert (inp.kind, inp.max_ranks, inp.min_score) == (CUMULATIVE, 5, 4)
    assert inp.ballots == (("a", "b"), ("b",), ("c", "a"))
    assert inp.points == ((3, 2), (5,), (2, 1))
    assert instance.rule == GREEDY
    assert project_points(inp) == {"b": 7, "a": 4, "c": 2}
    # the threshold is on points: a has 4 (from 2 voters) and is selected, c has 2
    assert run_tally(inp, instance.rule).selected == ("b", "a")


def test_cumulative_points_must_match_the_projects() -> None:
    short = parse_pabulib(CUMULATIVE_TEXT.replace("1;a,b;3,2", "1;a,b;3"))
    with pytest.raises(ValueError, match="vote 1 .*2 project.*1 number"):
        tally_input_from_pabulib(short)
    words = parse_pabulib(CUMULATIVE_TEXT.replace("2;b;5", "2;b;five"))
    with pytest.raises(ValueError, match="vote 2: points 'five'"):
        tally_input_from_pabulib(words)


@pytest.mark.parametrize("path", selected_files(), ids=lambda p: p.stem)
def test_reads_every_shared_file_of_every_kind(path: Path, pabulib_dir: Path) -> None:
    instance = parse_pabulib(path)
    inp = tally_input_from_pabulib(instance)
    inp.validate()
    assert (
        inp.kind
        == {"ordinal": ORDINAL, "approval": APPROVAL, "cumulative": CUMULATIVE}[instance.vote_type]
    )
    assert len(inp.ballots) == int(instance.meta["num_votes"])
    if instance.scores is not None:  # points (cumulative and ordinal), as the file states
        assert project_points(inp) == instance.scores
    if inp.kind == APPROVAL:
        votes = {row["project_id"]: int(row["votes"]) for row in instance.projects}
        assert project_points(inp) == votes


def test_the_shared_files_hold_every_kind_and_rule(pabulib_dir: Path) -> None:
    seen = {
        (parse_pabulib(p).vote_type, parse_pabulib(p).meta["rule"].strip())
        for p in selected_files()
    }
    assert seen == {
        ("ordinal", "greedy"),
        ("approval", "greedy-no-skip"),
        ("cumulative", "greedy-threshold"),
        ("cumulative", "greedy"),
    }


def test_the_threshold_counts_points_on_cumulative_files(pabulib_dir: Path) -> None:
    # Zarzecze selects L20/05/XI and L20/06/XI: fewer than 50 voters, but 50 points or more
    path = pabulib_dir / "Poland_Katowice_2024_Zarzecze.pb"
    instance = parse_pabulib(path)
    inp, result = tally_pabulib(path)
    votes = {row["project_id"]: int(row["votes"]) for row in instance.projects}
    under = [pid for pid in result.selected if votes[pid] < inp.min_score == 50]
    assert under and all(result.points[pid] >= 50 for pid in under)
    assert sorted(result.selected) == sorted(instance.selected_ids or ())


def test_rule_names_map_both_ways() -> None:
    assert pabulib_rule(GREEDY) == "greedy"
    assert pabulib_rule(GREEDY, 50) == "greedy-threshold"
    assert pabulib_rule(GREEDY_NO_SKIP, 1000) == "greedy-no-skip"
    assert pabulib_rule(MES) == "equalshares/add1"
    for rule in RULES:
        for threshold in (1, 50):
            assert rule_from_pabulib(pabulib_rule(rule, threshold)) == rule
    assert rule_from_pabulib(" Equalshares ") == MES
    assert set(PABULIB_RULES.values()) == set(RULES)
    with pytest.raises(ValueError, match="'phragmen'"):
        rule_from_pabulib("phragmen")
    with pytest.raises(ValueError, match="unknown rule"):
        pabulib_rule("lottery")
    assert parse_pabulib(SMALL).rule == GREEDY  # META names none


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "text", [SMALL, APPROVAL_TEXT, CUMULATIVE_TEXT], ids=["ordinal", "approval", "cumulative"]
)
def test_every_kind_round_trips_with_its_rule(text: str, rule: str) -> None:
    inp = tally_input_from_pabulib(parse_pabulib(text))
    written = write_pabulib(pabulib_from_tally_input(inp, rule=rule))
    again = parse_pabulib(written)
    assert tally_input_from_pabulib(again) == inp
    assert again.rule == rule
    assert again.meta["min_project_score_threshold"] == str(inp.min_score)
    assert run_tally(tally_input_from_pabulib(again), again.rule) == run_tally(inp, rule)


def test_cumulative_files_carry_points_and_sums() -> None:
    inp = tally_input_from_pabulib(parse_pabulib(CUMULATIVE_TEXT))
    instance = pabulib_from_tally_input(inp)
    assert instance.meta["vote_type"] == "cumulative"
    assert (instance.meta["min_sum_points"], instance.meta["max_sum_points"]) == ("1", "5")
    assert "max_length" not in instance.meta
    assert instance.vote_columns == ["voter_id", "vote", "points"]
    assert instance.votes[0] == {"voter_id": "1", "vote": "a,b", "points": "3,2"}
    approval = pabulib_from_tally_input(tally_input_from_pabulib(parse_pabulib(APPROVAL_TEXT)))
    assert (approval.meta["vote_type"], approval.meta["max_length"]) == ("approval", "2")
    assert "points" not in approval.vote_columns


def test_pabutools_reads_every_kind_we_write() -> None:
    from pabutools.election.pabulib import parse_pabulib_from_string

    approval = tally_input_from_pabulib(parse_pabulib(APPROVAL_TEXT))
    _instance, profile = parse_pabulib_from_string(
        write_pabulib(pabulib_from_tally_input(approval))
    )
    assert sorted(sorted(p.name for p in b) for b in profile) == [
        ["a"],
        ["a", "b"],
        ["b"],
        ["b", "c"],
    ]
    cumulative = tally_input_from_pabulib(parse_pabulib(CUMULATIVE_TEXT))
    _instance, profile = parse_pabulib_from_string(
        write_pabulib(pabulib_from_tally_input(cumulative))
    )
    assert sorted(sorted((p.name, int(v)) for p, v in b.items()) for b in profile) == [
        [("a", 1), ("c", 2)],
        [("a", 3), ("b", 2)],
        [("b", 5)],
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("budget;100\n", ""), "no budget"),
        (("budget;100", "budget;lots"), "budget: 'lots' is not a number"),
        (("b;60;B", "b;sixty;B"), "cost of project 'b': 'sixty' is not a number"),
        (("max_length;2", "max_length;two"), "META max_length: 'two' is not a whole number"),
        (
            ("min_project_score_threshold;2", "min_project_score_threshold;2.5"),
            "min_project_score_threshold: '2.5' is not a whole number",
        ),
        (("project_id;cost;name", "project_id;price;name"), "without a cost column"),
        (("voter_id;vote", "voter_id;ballot"), "without a vote column"),
        (("b;60;B\na;40;A\nc;30;C\n", ""), "lists no projects"),
    ],
)
def test_files_that_cannot_be_counted_say_why(change: tuple[str, str], message: str) -> None:
    text = APPROVAL_TEXT.replace(*change)
    assert text != APPROVAL_TEXT
    with pytest.raises(ValueError, match=message):
        tally_input_from_pabulib(parse_pabulib(text))
