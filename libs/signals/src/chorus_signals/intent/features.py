"""What the classifier reads in a post: folded words, pairs of neighbouring words, and the
first and last letters of each word (which carry plurals, conjugations and most typos).

Training and classification share these functions, so the shipped weights see exactly the
features they were fitted on."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

FEATURES = "words+pairs+affixes"  # the name a model file records for this feature set
AFFIX_MIN = 4  # shorter words are their own affixes
_COMBINING = re.compile(r"[\u0300-\u036f]")
# Letters/digits runs, and each emoji or pictograph on its own (they carry tone: 😭 🙃 ⭐).
_TOKEN = re.compile(r"[^\W_]+|[\u2600-\u27bf\U0001f000-\U0001faff]", re.UNICODE)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(token: str) -> str:
    """A lower-cased token without accents ("été" → "ete"), so typed-without-accents matches."""
    if token.isascii():
        return token
    bare = _COMBINING.sub("", unicodedata.normalize("NFD", token))
    return bare if bare.isascii() else bare.translate(_LIGATURES)


def words(text: str) -> list[str]:
    """The post's tokens as they appear, lower-cased (accents kept): what evidence shows."""
    return _TOKEN.findall(text.lower())


def folded(tokens: list[str]) -> list[str]:
    """``tokens`` accent-folded one by one: what the model reads, one for one with ``tokens``."""
    return [t if t.isascii() else fold(t) for t in tokens]


def word_features(word: str) -> list[str]:
    """One distinct word's features: itself, its first 4 and 5 letters, its last 3 and 4.

    Affixes are marked with '#' and '<' (start) or '>' (end), never inside a word."""
    if len(word) < AFFIX_MIN:
        return [word]
    return list(
        dict.fromkeys((word, f"#<{word[:4]}", f"#<{word[:5]}", f"#{word[-3:]}>", f"#{word[-4:]}>"))
    )


def features(text: str) -> list[str]:
    """Every feature of a post, with the multiplicity the linear score gives it."""
    toks = folded(words(text))
    out: list[str] = []
    for word in dict.fromkeys(toks):
        out.extend(word_features(word))
    out.extend(f"{a} {b}" for a, b in dict.fromkeys(pairwise(toks)))
    return out
