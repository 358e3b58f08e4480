"""Sentiment in [-1, 1] with a label: VADER for English, a French lexicon with negation for French."""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from typing import Any, Literal

from chorus_signals import french_lexicon as fr

Label = Literal["negative", "neutral", "positive"]
THRESHOLD = 0.05  # VADER's own cut-off between neutral and polar compound scores
NEGATION_SCALAR = -0.74
NEGATION_WINDOW = 3
EXCLAMATION_BOOST = 0.292
MAX_CHARS = 3000
# Customer-care words VADER's general lexicon lacks or scores as neutral.
EN_DOMAIN: dict[str, float] = {
    "sue": -2.5,
    "suing": -2.5,
    "lawsuit": -2.5,
    "lawyer": -1.0,
    "lawyers": -1.0,
    "boycott": -2.5,
    "refunded": 1.0,
    "overcharged": -2.0,
    "broken": -2.0,
    "crashing": -2.0,
}
_TOKEN = re.compile(r"[^\W\d_]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?", re.UNICODE)


@cache
def _vader() -> Any:
    """The English analyzer (lexicon shipped in the wheel), loaded once per process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as Vader

    class Windowed(Vader):  # type: ignore[misc]
        """VADER, its two per-word look-behind checks given only the words they read.

        For every sentiment word VADER calls ``_negation_check`` up to three times and
        ``_special_idioms_check`` once, and each lower-cases the text's whole word list
        first, which makes a post's cost grow with the square of its length. Both read at
        most three words before the word and two after it, so each gets that slice of the
        list, with the index moved to match:
        VADER's own code runs on it, with the same result (checked against VADER's on
        texts made of its lexicon, boosters, negations and idioms in the tests)."""

        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            lo = i - 3 if i > 3 else 0  # reads words i-3 .. i-1 only
            return float(Vader._negation_check(valence, words[lo : i + 1], start_i, i - lo))

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            lo = i - 3 if i > 3 else 0  # reads words i-3 .. i+2, and whether i+1, i+2 exist
            return float(Vader._special_idioms_check(valence, words[lo : i + 3], i - lo))

    analyzer = Windowed()
    analyzer.lexicon.update(EN_DOMAIN)
    return analyzer


def warm_up() -> None:
    _vader()


def label_for(score: float) -> Label:
    if score >= THRESHOLD:
        return "positive"
    if score <= -THRESHOLD:
        return "negative"
    return "neutral"


def _fold(word: str) -> str:
    if word.isascii():  # nothing to decompose (most words, even in French)
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _valence(word: str) -> float | None:
    for candidate in (word, word.rstrip("s"), word[:-1] if word.endswith("e") else None):
        if candidate and candidate in fr.LEXICON:
            return fr.LEXICON[candidate]
    if word.endswith("es") and word[:-2] in fr.LEXICON:
        return fr.LEXICON[word[:-2]]
    return None


def _normalize(total: float, alpha: float = 15.0) -> float:
    return total / math.sqrt(total * total + alpha)


def french_score(text: str) -> float:
    """VADER-style compound for French: lexicon, boosters, negation window, contrast, '!'."""
    tokens = [t for t in _TOKEN.findall(text[:MAX_CHARS])]
    folded = [_fold(t) for t in tokens]
    contrast_at = next((i for i, t in enumerate(folded) if t in fr.CONTRAST), None)
    total = 0.0
    for i, word in enumerate(folded):
        emoji = fr.EMOJI.get(tokens[i])
        valence = emoji if emoji is not None else _valence(word)
        if valence is None:
            continue
        if word == "merci" and folded[i + 1 : i + 2] in (["de"], ["d"]):
            continue  # "merci de …" is a polite request, not thanks
        window = folded[max(0, i - NEGATION_WINDOW) : i]
        if window and window[-1] == "pas" and word in fr.NEGATED_IDIOMS:
            total += fr.NEGATED_IDIOMS[word]
            continue
        for booster in window[-2:]:
            if booster in fr.BOOSTERS:
                boost = fr.BOOSTERS[booster]
                valence += boost if valence > 0 else -boost
        if emoji is None and any(w in fr.NEGATORS for w in window):
            valence *= NEGATION_SCALAR
        if contrast_at is not None:
            valence *= 0.5 if i < contrast_at else 1.5
        total += valence
    if total:
        bangs = min(text.count("!"), 4) * EXCLAMATION_BOOST
        total += bangs if total > 0 else -bangs
    return round(_normalize(total), 4)


def english_score(text: str) -> float:
    return round(float(_vader().polarity_scores(text[:MAX_CHARS])["compound"]), 4)


def sentiment(text: str, lang: str | None) -> tuple[float, Label]:
    """Score in [-1, 1] and its label; French lexicon for ``fr``, VADER otherwise."""
    score = french_score(text) if lang == "fr" else english_score(text)
    score = max(-1.0, min(1.0, score))
    return score, label_for(score)
