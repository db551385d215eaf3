"""Importing approval, choose-1 and cumulative pabulib files: rounds of the right ballot
kind, their ballots (with points), counted from the database to the official result."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from budgeting.models import Ballot, BallotKind, BallotRank, Proposal
from budgeting.pabulib import PabulibInstance, parse_pabulib, tally_input_from_pabulib
from budgeting.services.exchange import export_pabulib, import_pabulib
from budgeting.services.rounds import load_round
from budgeting.services.tally import count_round
from budgeting.tally import GREEDY, GREEDY_NO_SKIP
from tests.budgeting.elections import PABULIB_DIR

RULES = {"greedy": GREEDY, "greedy-threshold": GREEDY, "greedy-no-skip": GREEDY_NO_SKIP}
CHOOSE_ONE = """META
key;value
description;Choose one
budget;100
vote_type;choose-1
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
a;60;3;Bänkar;1
b;50;2;Gym;0
c;40;1;Lampor;1
VOTES
voter_id;vote
1;a
2;a
3;b
4;a
5;b
6;c
"""


def readable(instance: PabulibInstance) -> None:
    """Skip while budgeting/pabulib.py cannot read this vote type (the tally part of
    issue #16 adds approval, choose-1 and cumulative to its reader)."""
    try:
        tally_input_from_pabulib(instance)
    except ValueError as problem:
        pytest.skip(f"budgeting/pabulib.py does not read {instance.vote_type} yet: {problem}")


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("Poland_Gdynia_2020_Orlowo__large.pb", BallotKind.APPROVAL),
        ("Poland_Katowice_2024_Zarzecze.pb", BallotKind.CUMULATIVE),
        ("Poland_Czestochowa_2024_Bleszno.pb", BallotKind.CUMULATIVE),
        ("choose-1", BallotKind.APPROVAL),
    ],
)
async def test_an_imported_file_becomes_a_round_of_its_kind_with_its_ballots(
    sessions, source: str, kind: BallotKind
) -> None:
    text = CHOOSE_ONE if source == "choose-1" else (PABULIB_DIR / source).read_text("utf-8")
    instance = parse_pabulib(text)
    readable(instance)
    inp = tally_input_from_pabulib(instance)
    async with sessions() as session, session.begin():
        round_ = await import_pabulib(session, text)
        round_ = await load_round(session, round_.id)
        assert round_.ballot_kind == kind
        assert round_.min_project_score == inp.min_score
        if kind == BallotKind.APPROVAL:
            assert round_.max_ranks == inp.max_ranks
        ballots = await session.scalar(select(func.count()).select_from(Ballot))
        assert ballots == len(instance.votes)
        points = await session.scalar(select(func.sum(BallotRank.points)))
        if kind == BallotKind.CUMULATIVE:
            assert points == sum(sum(row) for row in inp.points)
            assert round_.points_total >= max(sum(row) for row in inp.points)
        else:
            assert points is None
        (run,) = await count_round(session, round_, RULES[instance.meta["rule"]])
        external = dict((await session.execute(select(Proposal.id, Proposal.external_id))).all())
        selected = sorted(external[int(pid)] for pid in run.result["selected"])
        assert selected == sorted(instance.selected_ids)
        exported = parse_pabulib(await export_pabulib(session, round_, round_.areas[0].id))
    assert exported.vote_type == ("cumulative" if kind == BallotKind.CUMULATIVE else "approval")
    assert exported.meta["min_project_score_threshold"] == str(inp.min_score)
    assert len(exported.votes) == len(instance.votes)
