"""Similar ideas: precision and recall on the labelled set, and the time for a big round.

Run: .venv/bin/python bench/similarity.py [--show]

Scores every pair of tests/data/similar_ideas.json (each pair's first idea against all
the set's ideas, as a draft against a round) and prints precision and recall at
``SIMILAR_THRESHOLD``, the threshold with the best F1, the same on the held-out pairs
(tests/data/similar_ideas_holdout.json, written after the threshold was chosen), and
(``--show``) every pair with its score. Then times one draft against a round of 500
ideas (the set's texts varied), as the propose dialog does, and the admin's suggested
duplicates for all 500.
Target: precision ≥ 0.8 at recall ≥ 0.6.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from budgeting.similarity import SIMILAR_THRESHOLD, profile, similar, similar_pairs  # noqa: E402
from tests.similarity_set import (  # noqa: E402
    HOLDOUT,
    TARGET_PRECISION,
    TARGET_RECALL,
    best_f1,
    figures,
    scored_pairs,
)


def big_round(size: int) -> dict[int, str]:
    """``size`` ideas made from the set's texts with a place and a few words changed."""
    scored = scored_pairs()
    texts = [s.a for s in scored] + [s.b for s in scored]
    words = [
        "ute",
        "nära",
        "skolan",
        "kvällar",
        "sommar",
        "vinter",
        "barn",
        "äldre",
        "alla",
        "trasig",
        "gammal",
        "säker",
    ]
    chance = random.Random(17)
    return {
        n: f"{chance.choice(texts)}. {' '.join(chance.sample(words, 4))} #{n}"
        for n in range(1, size + 1)
    }


def timed(repeats: int, work) -> float:
    """The best of ``repeats`` runs of ``work``, in milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every pair with its score")
    options = parser.parse_args()
    scored = scored_pairs()
    if options.show:
        for s in sorted(scored, key=lambda s: -s.score):
            mark = "DUP " if s.duplicate else "    "
            print(f"{s.score:.3f} {mark}{s.a} | {s.b}")
    duplicates = sum(s.duplicate for s in scored)
    print(f"pairs: {len(scored)} ({duplicates} duplicates, {len(scored) - duplicates} not)")
    at = figures(scored, SIMILAR_THRESHOLD)
    best = best_f1(scored)
    for name, f in (("at SIMILAR_THRESHOLD", at), ("best F1", best)):
        print(
            f"{name} {f.threshold:.3f}: precision {f.precision:.2f} recall {f.recall:.2f} "
            f"F1 {f.f1:.2f} (tp {f.true_positives}, fp {f.false_positives}, "
            f"fn {f.false_negatives})"
        )
    held = figures(scored_pairs(HOLDOUT), SIMILAR_THRESHOLD)
    print(
        f"held-out pairs ({held.true_positives + held.false_negatives} duplicates of "
        f"{len(scored_pairs(HOLDOUT))}), at SIMILAR_THRESHOLD: precision {held.precision:.2f} "
        f"recall {held.recall:.2f} (tp {held.true_positives}, fp {held.false_positives}, "
        f"fn {held.false_negatives})"
    )
    round_ = big_round(500)
    draft = "Fler bänkar längs ån. Det behövs sittplatser vid promenaden för oss äldre."
    profile.cache_clear()
    cold = timed(1, lambda: similar(draft, round_))
    one = timed(5, lambda: similar(draft, round_))
    every = timed(3, lambda: similar_pairs(round_))
    print(
        f"one draft against 500 ideas: {cold:.0f} ms the first time in a process, "
        f"{one:.0f} ms after (the ideas' features are kept); "
        f"suggested duplicates of all 500: {every:.0f} ms"
    )
    met = at.precision >= TARGET_PRECISION and at.recall >= TARGET_RECALL
    print(
        f"target precision ≥ {TARGET_PRECISION} at recall ≥ {TARGET_RECALL}: "
        + ("met" if met else "NOT met")
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
