"""The labelled idea pairs (tests/data/similar_ideas.json) and how the method scores them.

Data and measuring only (bench/similarity.py prints the figures, a test holds the target).
Every text of the set is one idea of one round: a pair's first idea is the draft, scored
against all the others, so IDF is that of a round of about 150 ideas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from budgeting.similarity import Corpus, idea_text

SET = Path(__file__).parent / "data" / "similar_ideas.json"
HOLDOUT = Path(__file__).parent / "data" / "similar_ideas_holdout.json"
"""Pairs written after the method and threshold were fixed on SET; never used to tune."""
TARGET_PRECISION = 0.8
TARGET_RECALL = 0.6


@dataclass(frozen=True)
class Scored:
    """One labelled pair and its score."""

    a: str
    b: str
    duplicate: bool
    score: float


@dataclass(frozen=True)
class Figures:
    """Precision, recall and F1 at one threshold."""

    threshold: float
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def _pairs(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["pairs"]


def scored_pairs(path: Path = SET) -> list[Scored]:
    """Every labelled pair of ``path`` with the score of its second idea for its first
    (the held-out pairs against SET's ideas and their own)."""
    pairs = _pairs(path)
    background = [] if path == SET else _pairs(SET)
    texts = sorted({idea_text(*p[side]) for p in pairs + background for side in ("a", "b")})
    scored = []
    for pair in pairs:
        draft, other = idea_text(*pair["a"]), idea_text(*pair["b"])
        corpus = Corpus({t: t for t in texts if t != draft})
        score = corpus.scores(draft).get(other, 0.0)
        scored.append(Scored(pair["a"][0], pair["b"][0], pair["duplicate"], score))
    return scored


def figures(scored: list[Scored], threshold: float) -> Figures:
    """Precision and recall of "similar" (score ≥ threshold) against the labels."""
    tp = sum(s.duplicate and s.score >= threshold for s in scored)
    fp = sum(not s.duplicate and s.score >= threshold for s in scored)
    fn = sum(s.duplicate and s.score < threshold for s in scored)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(threshold, precision, recall, f1, tp, fp, fn)


def best_f1(scored: list[Scored]) -> Figures:
    """The threshold (among the scores) with the best F1."""
    return max((figures(scored, s.score) for s in scored), key=lambda f: (f.f1, f.threshold))
