"""The pabulib reader and writer, on the real Kraków files and on hand-made text."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgeting.pabulib import (
    PabulibInstance,
    pabulib_from_tally_input,
    parse_amount,
    parse_pabulib,
    tally_input_from_pabulib,
    write_pabulib,
)
from budgeting.tally import TallyInput, TallyProject, run_tally
from tests.budgeting.elections import krakow_files

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


def test_only_ordinal_files_are_tallied() -> None:
    with pytest.raises(ValueError, match="approval"):
        tally_input_from_pabulib(parse_pabulib(SMALL.replace("ordinal", "approval")))


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
