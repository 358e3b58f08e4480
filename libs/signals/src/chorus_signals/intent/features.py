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


def fold(token: str) -> str:
    """A lower-cased token without accents ("été" → "ete"), so typed-without-accents matches."""
    if token.isascii():
        return token
    bare = _COMBINING.sub("", unicodedata.normalize("NFD", token))
    return bare.translate(_LIGATURES) if not bare.isascii() else bare


def words(text: str) -> list[str]:
    """The post's tokens as they appear, lower-cased (accents kept): what evidence shows."""
    return _TOKEN.findall(text.lower())


def folded(tokens: list[str]) -> list[str]:
    """``tokens`` accent-folded one by one: what the model reads, one for one with ``tokens``."""
    return [t if t.isascii() else fold(t) for t in tokens]


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
    toks = folded(words(text))
    out: list[str] = []
    for word in dict.fromkeys(toks):
        out.extend(word_features(word, low, high))
    out.extend(dict.fromkeys(f"{a} {b}" for a, b in pairwise(toks)))
    return out
