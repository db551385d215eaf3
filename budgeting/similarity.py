"""Ideas that look alike: texts in, scored pairs out (pure; no database, no model download).

Each text becomes a weighted bag of features: the Snowball stems of its words (Swedish,
English or Arabic, by the text's script and stop words), the topics those words name
(``budgeting.similarity_lexicon``: "bänkar" and "sittplatser" are both *seating*), and
character 4-grams of the stems (typos, compounds). Weights are TF-IDF over the texts
compared (a round's ideas), so a place every idea names counts little; similarity is
the cosine of two bags. Measured on tests/data/similar_ideas.json by bench/similarity.py.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

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


def combined(topics: float, words: float, place: bool) -> float:
    """One score from the topic and word cosines and whether the places agree."""
    score = TOPIC_SHARE * topics + (1 - TOPIC_SHARE) * words
    return score if place else score * OTHER_PLACE_FACTOR


class _Space:
    """One kind of feature over a corpus: IDF, unit vectors, an inverted index."""

    def __init__(self, bags: Mapping[Hashable, Counter[str]]) -> None:
        self._count = len(bags)
        self._frequency: Counter[str] = Counter()
        for bag in bags.values():
            self._frequency.update(bag.keys())
        self.vectors = {key: self.vector(bag) for key, bag in bags.items()}
        self._index: dict[str, list[tuple[Hashable, float]]] = defaultdict(list)
        for key, vector in self.vectors.items():
            for feature, weight in vector.items():
                self._index[feature].append((key, weight))

    def idf(self, feature: str) -> float:
        """Smoothed inverse document frequency, as scikit-learn's ``TfidfVectorizer``."""
        return math.log((1 + self._count) / (1 + self._frequency.get(feature, 0))) + 1

    def vector(self, bag: Mapping[str, float]) -> dict[str, float]:
        """``bag`` weighted by IDF and scaled to length 1."""
        weighted = {f: w * self.idf(f) for f, w in bag.items()}
        norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        return {f: w / norm for f, w in weighted.items()}

    def cosines(self, vector: Mapping[str, float]) -> dict[Hashable, float]:
        """The cosine of ``vector`` with every text that shares a feature with it."""
        totals: dict[Hashable, float] = defaultdict(float)
        for feature, weight in vector.items():
            for key, other in self._index.get(feature, ()):
                totals[key] += weight * other
        return totals


class Corpus:
    """The texts compared (a round's ideas), ready to be scored against."""

    def __init__(self, texts: Mapping[Hashable, str]) -> None:
        self.profiles = {key: profile(text) for key, text in texts.items()}
        self._topics = _Space({k: p.topics for k, p in self.profiles.items()})
        self._words = _Space({k: p.words for k, p in self.profiles.items()})

    def _scores(self, mine: Profile, topics: dict, words: dict) -> dict[Hashable, float]:
        return {
            key: combined(
                topics.get(key, 0.0),
                words.get(key, 0.0),
                same_place(mine.places, self.profiles[key].places),
            )
            for key in topics.keys() | words.keys()
        }

    def scores(self, text: str) -> dict[Hashable, float]:
        """The score of ``text`` against every text of the corpus that shares a feature."""
        mine = profile(text)
        return self._scores(
            mine,
            self._topics.cosines(self._topics.vector(mine.topics)),
            self._words.cosines(self._words.vector(mine.words)),
        )

    def scores_of(self, key: Hashable) -> dict[Hashable, float]:
        """The scores of the corpus's own text ``key`` against the others."""
        found = self._scores(
            self.profiles[key],
            self._topics.cosines(self._topics.vectors[key]),
            self._words.cosines(self._words.vectors[key]),
        )
        found.pop(key, None)
        return found


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
    found.sort(key=lambda m: (-m.score, str(m.key)))
    return found[:limit]


def similar_pairs(
    texts: Mapping[Hashable, str], threshold: float = SIMILAR_THRESHOLD
) -> dict[Hashable, list[Match]]:
    """For every text, the others that look like it (best first; only those with any)."""
    corpus = Corpus(texts)
    found: dict[Hashable, list[Match]] = {}
    for key in corpus.profiles:
        matches = [Match(k, s) for k, s in corpus.scores_of(key).items() if s >= threshold]
        if matches:
            found[key] = sorted(matches, key=lambda m: (-m.score, str(m.key)))
    return found


def idea_text(title: str, description: str) -> str:
    """What is compared of an idea: its title and its description."""
    return f"{title}. {description}"
