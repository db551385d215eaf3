"""The similarity of ideas: the labelled set's target, and the function's contract."""

from __future__ import annotations

import subprocess
import sys

from budgeting.similarity import MAX_SUGGESTIONS, SIMILAR_THRESHOLD, idea_text, similar
from tests.similarity_set import TARGET_PRECISION, TARGET_RECALL, figures, scored_pairs


def test_labelled_set_meets_the_target_at_the_threshold() -> None:
    scored = scored_pairs()
    assert len(scored) >= 60
    assert sum(s.duplicate for s in scored) >= 25 and sum(not s.duplicate for s in scored) >= 25
    at = figures(scored, SIMILAR_THRESHOLD)
    assert at.precision >= TARGET_PRECISION, at
    assert at.recall >= TARGET_RECALL, at


def test_duplicates_sharing_few_words_are_found_and_same_place_ideas_are_not() -> None:
    round_ = {
        1: idea_text(
            "Sittplatser vid Ljusnan-promenaden",
            "Vi som går med rollator behöver någonstans att sitta när vi promenerar vid älven.",
        ),
        2: idea_text("Lekplats i Ängsparken", "Barnen behöver gungor och sandlåda i parken."),
        3: idea_text("Hjärtstartare i sporthallen", "En defibrillator vid entrén."),
    }
    benches = similar(
        idea_text("Fler bänkar längs ån", "Inga bänkar att vila på längs promenaden vid ån."),
        round_,
    )
    assert [m.key for m in benches] == [1]
    lights = similar(
        idea_text("Belysning i Ängsparken", "Parken är mörk, sätt upp lampor längs gångarna."),
        round_,
    )
    assert lights == []


def test_at_most_three_best_first_and_nothing_for_nothing() -> None:
    same = idea_text("Hundrastgård", "En inhägnad plats där hundar kan springa lösa.")
    round_ = {n: same + f" ({n})" for n in range(1, 8)}
    found = similar(same, round_)
    assert len(found) == MAX_SUGGESTIONS
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert similar(same, {}) == []
    assert similar("🙂 " * 50, round_) == []
    assert similar("x" * 10_000, round_) == []


def test_starting_the_bot_does_not_load_scikit_learn() -> None:
    """scikit-learn (and SciPy, ~1 s) load on the first score, not at start-up."""
    code = (
        "import sys, bot.app.bootstrap, bot.app.cli, web_admin.app, dialogs.engine, "
        "budgeting.similarity as s\n"
        "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules\n"
        "s.similar('Fler bänkar', {1: 'Bänkar vid ån'})\n"
        "assert 'sklearn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
