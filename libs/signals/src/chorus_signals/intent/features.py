"""What the classifier reads in a post: folded words, word pairs and the letter groups of words.

Training and classification share these functions, so the shipped weights see exactly the
features they were fitted on."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

_COMBINING = re.compile(r"[\u0300-\u036f]")
# Letters/digits runs, and each emoji or pictograph on its own (they carry tone: 😭 🙃 ⭐).
_TOKEN = re.compile(r"[^\W_]+|[\u2600-\u27bf\U0001f000-\U0001faff]", re.UNICODE)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
CHAR_PREFIX = "#"  # marks a letter-group feature; never inside a token


def fold(text: str) -> str:
    """Lower-cased text without accents ("Été" → "ete"), so typed-without-accents matches."""
    low = text.lower()
    if low.isascii():
        return low
    return _COMBINING.sub("", unicodedata.normalize("NFD", low)).translate(_LIGATURES)


def words(text: str) -> list[str]:
    """The post's tokens as they appear, lower-cased (accents kept): what evidence shows."""
    return _TOKEN.findall(text.lower())


def folded_words(text: str) -> list[str]:
    """The post's tokens, lower-cased and accent-folded: what the model reads."""
    return _TOKEN.findall(fold(text))


def char_grams(word: str, low: int, high: int) -> list[str]:
    """The word's letter groups of ``low``..``high`` letters, with its edges marked."""
    marked = f"<{word}>"
    size = len(marked)
    return [
        CHAR_PREFIX + marked[i : i + n] for n in range(low, high + 1) for i in range(size - n + 1)
    ]


def word_features(word: str, low: int, high: int) -> list[str]:
    """One distinct word's features: the word itself and, if ``high``, its letter groups."""
    if not high or len(word) < 2:
        return [word]
    return [word, *char_grams(word, low, high)]


def features(text: str, low: int, high: int) -> list[str]:
    """Every feature of a post, with the multiplicity the linear score gives it."""
    toks = folded_words(text)
    out: list[str] = []
    for word in dict.fromkeys(toks):
        out.extend(word_features(word, low, high))
    out.extend(dict.fromkeys(f"{a} {b}" for a, b in pairwise(toks)))
    return out
