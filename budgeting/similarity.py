"""Ideas that look alike: texts in, scored pairs out (pure; no database, no model download).

Each text becomes a weighted bag of features: the Snowball stems of its words (Swedish,
English or Arabic, by the text's script and stop words), the topics those words name
(``budgeting.similarity_lexicon``: "bänkar" and "sittplatser" are both *seating*), and
character 4-grams of the stems (typos, compounds). Weights are TF-IDF over the texts
compared (a round's ideas), so a place every idea names counts little; similarity is
the cosine of two bags (scikit-learn's ``DictVectorizer``, ``TfidfTransformer`` and
``linear_kernel``, imported on the first score). Measured on tests/data/similar_ideas.json
by bench/similarity.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

from budgeting.similarity_lexicon import STOP_WORDS, TOPICS

SIMILAR_THRESHOLD = 0.45
"""Cosine from which two ideas are offered as "similar" (chosen on the labelled set)."""
MAX_SUGGESTIONS = 3
"""At most this many similar ideas are shown."""

TOPIC_SHARE = 0.6
"""How much the topics count in the score; the words (stems, 4-grams) count the rest."""
OTHER_PLACE_FACTOR = 0.6
"""The score of two ideas that name different places ("på Skolgatan", "på Industrivägen")."""
STEM_WEIGHT = 1.0
GRAM_WEIGHT = 0.15
GRAM_SIZE = 4

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})

_STOPS_ARABIC = {
    unicodedata.normalize("NFKC", w).translate(_ARABIC_LETTERS) for w in STOP_WORDS["arabic"]
}


@dataclass(frozen=True)
class Match:
    """One idea found similar to another, with its score (0–1)."""

    key: Hashable
    score: float


def normalise_arabic(word: str) -> str:
    """Arabic without short vowels and tatweel, alef/ya/ta marbuta forms unified."""
    return _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)


def language_of(words: Sequence[str]) -> str:
    """``arabic`` if the text is in Arabic script, else Swedish or English by stop words."""
    if any(_ARABIC.search(w) for w in words):
        return "arabic"
    english = sum(w in STOP_WORDS["english"] for w in words)
    swedish = sum(w in STOP_WORDS["swedish"] for w in words)
    return "english" if english > swedish else "swedish"


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


@cache
def _lexicon() -> tuple[dict[str, set[str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(exact-or-head entries → topics, prefix entries, Arabic entries)."""
    exact: dict[str, set[str]] = defaultdict(set)
    prefixes: list[tuple[str, str]] = []
    arabic: list[tuple[str, str]] = []
    for topic, entries in TOPICS.items():
        for entry in entries:
            if _ARABIC.search(entry):
                arabic.append((normalise_arabic(entry), topic))
            elif entry.endswith("*"):
                prefixes.append((entry[:-1], topic))
            else:
                exact[entry].add(topic)
    return dict(exact), prefixes, arabic


@lru_cache(maxsize=65_536)
def _topics_of_stem(stem: str) -> frozenset[str]:
    exact, prefixes, _arabic = _lexicon()
    found = set(exact.get(stem, ()))
    for start, topic in prefixes:
        if stem.startswith(start):
            found.add(topic)
    for size in range(2, len(stem)):
        found |= exact.get(stem[-size:], set())  # a compound's head: "parkbänk"
    return frozenset(found)


@dataclass(frozen=True)
class Profile:
    """What one text is about: its topics, its words (stems and 4-grams), the places it names."""

    topics: Counter[str]
    words: Counter[str]
    places: frozenset[str]


_SENTENCE = re.compile(r"(?:^|[.!?:;\n]\s*)([^\W\d_]+)")


def places_of(text: str) -> frozenset[str]:
    """Names written with a capital inside a sentence ("vid Bysjön"), stemmed, lower case."""
    starts = {m.start(1) for m in _SENTENCE.finditer(text)}
    names = {
        m.group().lower()
        for m in _WORD.finditer(text)
        if m.group()[0].isupper() and m.start() not in starts
    }
    return frozenset(_stemmer("swedish").stemWords(sorted(names)))


def same_place(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """True unless both name places and none is the same (or begins the same: Bysjö-)."""
    if not mine or not theirs:
        return True
    return any(a[:5] == b[:5] for a in mine for b in theirs)


@lru_cache(maxsize=8_192)
def profile(text: str) -> Profile:
    """The features of one text (before IDF); kept for the next turn (never change one)."""
    text = unicodedata.normalize("NFKC", text)
    words = [w.lower() for w in _WORD.findall(text)]
    language = language_of(words)
    topics: Counter[str] = Counter()
    bag: Counter[str] = Counter()
    if language == "arabic":
        words = [normalise_arabic(w) for w in words]
        content = [w for w in words if w not in _STOPS_ARABIC and len(w) > 1]
        joined = " ".join(words)
        topics.update({t for entry, t in _lexicon()[2] if entry in joined})
    else:
        content = [w for w in words if w not in STOP_WORDS[language]]
    for stem in _stemmer(language).stemWords(content):
        bag["s:" + stem] += STEM_WEIGHT
        if language != "arabic":
            for part in {stem, *stem.split("-")}:  # "ljusnan-promenad": each part too
                topics.update(_topics_of_stem(part))
        padded = f" {stem} "
        for i in range(max(1, len(padded) - GRAM_SIZE + 1)):
            bag["g:" + padded[i : i + GRAM_SIZE]] += GRAM_WEIGHT
    return Profile(Counter(dict.fromkeys(topics, 1.0)), bag, places_of(text))


def combined(topics: Any, words: Any, place: bool) -> Any:
    """One score from the topic and word cosines and whether the places agree (floats,
    or arrays of them)."""
    score = TOPIC_SHARE * topics + (1 - TOPIC_SHARE) * words
    return score if place else score * OTHER_PLACE_FACTOR


def preload() -> None:
    """Load scikit-learn now (about 1 s), so the first resident to propose after a restart
    does not wait for it; the bot calls this in a thread once it serves."""
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.metrics.pairwise  # noqa: F401


def _unit_tfidf(bags: Sequence[Mapping[str, float]], corpus_size: int) -> Any:
    """The rows of ``bags`` weighted by TF-IDF and scaled to length 1 (a sparse matrix).

    The IDF is smoothed, as scikit-learn's ``TfidfVectorizer``, and counts only the first
    ``corpus_size`` bags (the corpus): a feature that only a draft has gets the IDF of a
    feature no text has. scikit-learn (and SciPy) load here, on the first score, not when
    the bot starts.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = DictVectorizer().fit_transform(bags)
    return TfidfTransformer().fit(counts[:corpus_size]).transform(counts)


def _cosines(corpus: Sequence[Mapping[str, float]], drafts: Sequence[Mapping[str, float]]) -> Any:
    """The cosine of each draft (or, if none, each text of the corpus) with each text of
    the corpus: an array, one row per draft, one column per text."""
    import numpy
    from sklearn.metrics.pairwise import linear_kernel

    bags = [*corpus, *drafts]
    if not any(bags):  # no text has a feature of this kind
        return numpy.zeros((len(drafts) or len(corpus), len(corpus)))
    vectors = _unit_tfidf(bags, len(corpus))
    mine = vectors[len(corpus) :] if drafts else vectors
    return linear_kernel(mine, vectors[: len(corpus)])


class Corpus:
    """The texts compared (a round's ideas), ready to be scored against."""

    def __init__(self, texts: Mapping[Hashable, str]) -> None:
        self.profiles = {key: profile(text) for key, text in texts.items()}
        self._keys = list(self.profiles)

    def _cosines(self, drafts: Sequence[Profile] = ()) -> tuple[Any, Any]:
        """The topic and the word cosines of ``drafts`` (or of the corpus's own texts)
        with the corpus's texts."""
        mine = self.profiles.values()
        return (
            _cosines([p.topics for p in mine], [d.topics for d in drafts]),
            _cosines([p.words for p in mine], [d.words for d in drafts]),
        )

    def _score(self, mine: Profile, key: Hashable, topics: float, words: float) -> float:
        return combined(topics, words, same_place(mine.places, self.profiles[key].places))

    def scores(self, text: str) -> dict[Hashable, float]:
        """The score of ``text`` against every text of the corpus that shares a feature."""
        if not self._keys:
            return {}
        mine = profile(text)
        topics, words = self._cosines([mine])
        return {
            key: self._score(mine, key, float(topics[0, j]), float(words[0, j]))
            for j, key in enumerate(self._keys)
            if topics[0, j] > 0 or words[0, j] > 0
        }

    def pairs(self, threshold: float) -> dict[Hashable, dict[Hashable, float]]:
        """For each text, the other texts that score at least ``threshold`` with it (only
        texts with any)."""
        if not self._keys:
            return {}
        topics, words = self._cosines()
        unplaced = combined(topics, words, place=True)  # the places can only lower it
        found: dict[Hashable, dict[Hashable, float]] = defaultdict(dict)
        for i, j in zip(*(unplaced >= threshold).nonzero(), strict=True):
            key, other = self._keys[i], self._keys[j]
            if i != j:
                score = self._score(self.profiles[key], other, topics[i, j], words[i, j])
                if score >= threshold:
                    found[key][other] = float(score)
        return dict(found)


def _best_first(matches: list[Match]) -> list[Match]:
    """Best score first; scores equal to 12 places (rounding noise) by key."""
    return sorted(matches, key=lambda m: (-round(m.score, 12), str(m.key)))


def similar(
    draft: str,
    candidates: Mapping[Hashable, str],
    threshold: float = SIMILAR_THRESHOLD,
    limit: int = MAX_SUGGESTIONS,
) -> list[Match]:
    """The candidates (key → text) most like ``draft``, best first, at most ``limit``."""
    if not candidates:
        return []
    scores = Corpus(candidates).scores(draft)
    found = [Match(key, score) for key, score in scores.items() if score >= threshold]
    return _best_first(found)[:limit]


def similar_pairs(
    texts: Mapping[Hashable, str], threshold: float = SIMILAR_THRESHOLD
) -> dict[Hashable, list[Match]]:
    """For every text, the others that look like it (best first; only those with any)."""
    found: dict[Hashable, list[Match]] = {}
    for key, scores in Corpus(texts).pairs(threshold).items():
        matches = [Match(k, s) for k, s in scores.items()]
        found[key] = _best_first(matches)
    return found


def idea_text(title: str, description: str) -> str:
    """What is compared of an idea: its title and its description."""
    return f"{title}. {description}"
