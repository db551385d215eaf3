"""The explanation a resident reads: complete, translatable, and true to the count."""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

from hypothesis import given, settings

from budgeting.pabulib import tally_pabulib
from budgeting.tally import (
    GREEDY,
    MES,
    TallyInput,
    TallyProject,
    TallyResult,
    explain_lines,
    file_order_note,
    lot_note,
    run_tally,
)
from budgeting.tally import explain as explain_module
from tests.budgeting.elections import elections


def identity(text: str) -> str:
    return text


def kr(amount: int) -> str:
    return f"{amount:,} kr".replace(",", " ")


def num(count: int) -> str:
    return f"{count:,}".replace(",", " ")


def lines_for(result: TallyResult, inp: TallyInput, note: str | None = None) -> list[str]:
    return explain_lines(result, inp, identity, kr, num, note)


PARK = TallyInput(
    projects=(
        TallyProject("A", 60_000, "Skate park"),
        TallyProject("C", 50_000, "Benches"),
        TallyProject("B", 40_000),
    ),
    budget=100_000,
    ballots=(("A",),) * 3 + (("C",),) * 3 + (("B",),) * 4,
    max_ranks=1,
)


def test_greedy_walk_and_ties() -> None:
    result = run_tally(PARK, GREEDY)
    lines = lines_for(result, PARK, file_order_note(identity))
    assert lines[:2] == [
        "Rule: most points first. On each ballot, first place gets 1 point and each place "
        "below gets one point less.",
        "Projects are taken from most to fewest points; each one that still fits in the "
        "budget of 100 000 kr is selected.",
    ]
    walk = lines[2:]
    assert walk[0] == (
        "Project B had 4 points and cost 40 000 kr; 100 000 kr was left, so it was selected."
    )
    assert walk[1] == "Ties are broken by the order of the projects in the file."
    assert walk[2] == (
        "“Skate park” (project A) and “Benches” (project C) had 3 points each, "
        "so the tie-break order decides: “Skate park” (project A), then “Benches” (project C)."
    )
    assert walk[3] == (
        "“Skate park” (project A) had 3 points and cost 60 000 kr; 60 000 kr was left, "
        "so it was selected."
    )
    assert walk[4] == (
        "“Benches” (project C) had 3 points and cost 50 000 kr; it did not fit in the "
        "0 kr left, so it was skipped."
    )
    assert lines[-1] == (
        "Selected 2 of 3 projects for 100 000 kr; 0 kr of the budget of 100 000 kr is left."
    )


def test_the_lot_and_its_seed_are_named() -> None:
    result = run_tally(PARK, GREEDY)
    lines = lines_for(result, PARK, lot_note(424242, identity))
    assert (
        "Ties are broken by a lot drawn with seed 424242: the projects are sorted by the "
        "SHA-256 hash of “424242:project id”."
    ) in lines
    assert "Ties are broken by the round's tie-break order." in lines_for(result, PARK)


def test_no_tie_no_note() -> None:
    inp = TallyInput(PARK.projects, PARK.budget, (("A",), ("C",), ("C",)), 1)
    lines = lines_for(run_tally(inp, GREEDY), inp, file_order_note(identity))
    assert not any("tie" in line.lower() for line in lines)


def test_mes_says_who_paid_what() -> None:
    inp = TallyInput(
        projects=(TallyProject("A", 60), TallyProject("C", 50), TallyProject("B", 40)),
        budget=100,
        ballots=(("C", "A"),) * 6 + (("B",),) * 4,
        max_ranks=2,
    )
    lines = lines_for(run_tally(inp, MES), inp)
    assert lines[1] == "The budget of 100 kr is split equally among 10 voters: 10 kr each."
    assert lines[2] == (
        "Nothing else that fits could have been added, so the shares were not raised."
    )
    assert (
        "Project C had 12 points and cost 50 kr; it was bought at about 4 kr per point."
    ) in lines
    assert "6 supporters who gave it 2 points paid about 8 kr each." in lines
    assert "4 supporters who gave it 2 points paid 10 kr each." in lines
    assert (
        "Project A (cost 60 kr) was not bought: its 6 supporters had only 10 kr left between them."
    ) in lines
    assert lines[-1] == "Selected 2 of 3 projects for 90 kr; 10 kr of the budget of 100 kr is left."


def test_mes_completion_and_exhausted_supporters() -> None:
    inp = TallyInput(
        projects=(TallyProject("A", 70), TallyProject("B", 35), TallyProject("C", 30)),
        budget=100,
        ballots=(("A",),) * 7 + (("B",),) * 2 + (("C",),),
        max_ranks=1,
    )
    lines = lines_for(run_tally(inp, MES), inp)
    assert lines[2] == (
        "To spend more of the budget, every share was raised by one unit at a time, 7 times, "
        "to 17 kr; one more raise would have bought more than the budget allows."
    )
    mixed = TallyInput(
        projects=(TallyProject("X", 50), TallyProject("Y", 50)),
        budget=60,
        ballots=(("X", "Y"),) * 3 + (("Y", "X"),) * 3,
        max_ranks=2,
    )
    text = lines_for(run_tally(mixed, MES), mixed)
    assert (
        "3 supporters had less than their share left and paid all they had, 30 kr together."
    ) in text
    assert (
        "Project X and Project Y could be bought at the same price per point, so the "
        "tie-break order decides: Project X, then Project Y."
    ) in text


def test_krakow_explanations_name_every_step(pabulib_dir: Path) -> None:
    path = pabulib_dir / "Poland_Krakow_2019_Nowa_Huta.pb"
    for rule in (GREEDY, MES):
        inp, result = tally_pabulib(path, rule)
        lines = lines_for(result, inp, file_order_note(identity))
        text = "\n".join(lines)
        for pid in result.selected:
            assert f"(project {pid})" in text
        if rule == GREEDY:
            assert text.count("so it was selected.") == len(result.selected)
            assert "had 85 points each, so the tie-break order decides" in text
        else:
            assert text.count("per point.") == len(result.selected)
            assert "every share was raised by one unit at a time, 855 times" in text


def test_explains_from_a_stored_result_without_ballots(pabulib_dir: Path) -> None:
    inp, result = tally_pabulib(pabulib_dir / "Poland_Krakow_2019_Bienczyce.pb", MES)
    stored = TallyResult.from_dict(json.loads(json.dumps(result.to_dict())))
    bare = TallyInput(inp.projects, inp.budget, (), inp.max_ranks)
    assert lines_for(stored, bare) == lines_for(result, inp)


@settings(max_examples=80, deadline=None)
@given(inp=elections(round_costs=True))
def test_every_sentence_is_translated_before_it_is_filled(inp: TallyInput) -> None:
    """A translator that brackets each message: every line is made of bracketed pieces."""

    def bracket(text: str) -> str:
        return f"⟦{text}⟧"

    for rule in (GREEDY, MES):
        result = run_tally(inp, rule)
        for line in explain_lines(result, inp, bracket, kr, num, None):
            outside, previous = line, None
            while outside != previous:  # drop bracketed pieces, innermost first
                previous, outside = outside, re.sub(r"⟦[^⟦⟧]*⟧", "", outside)
            assert not outside.strip(), line


def translatable_calls() -> list[ast.Call]:
    tree = ast.parse(inspect.getsource(explain_module))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "_")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "_")
        )
    ]


def test_messages_are_literal_and_english() -> None:
    calls = translatable_calls()
    assert len(calls) > 30
    for call in calls:
        assert len(call.args) == 1 and not call.keywords
        arg = call.args[0]
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), ast.dump(arg)
        assert arg.value.isascii() or "“" in arg.value, arg.value
        assert "%" not in arg.value  # named {placeholders} only


def test_babel_extracts_every_message() -> None:
    from babel.messages.extract import extract_from_file

    found = {
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", inspect.getsourcefile(explain_module), keywords={"_": None}
        )
    }
    literals = {call.args[0].value for call in translatable_calls()}
    assert found == literals
    for message in found:
        names = set(re.findall(r"\{(\w+)\}", message))
        assert all(name.isidentifier() for name in names)
