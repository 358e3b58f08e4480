"""Text normalisation for keyword matching: accent folding, word tokens, a light EN/FR stemmer.

The stemmer is deliberately small and predictable: it only has to map the usual plural and
inflected forms of a word (``refunds``, ``refunded``, ``remboursez``, ``remboursée``) onto the
same stem as the keyword, and it is applied identically to rule phrases and post text, so
consistency matters more than linguistic accuracy. Snowball's English and French stemmers,
chained either way, split pairs the rules rely on (``boycott``/``boycotting``), so it stays.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})

# Longest first; applied (at most twice) after the plural step, keeping a stem of 3+ letters.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("issement", ""),
    ("ement", ""),
    ("eraient", ""),
    ("erions", ""),
    ("erait", ""),
    ("erons", ""),
    ("eront", ""),
    ("aient", ""),
    ("ings", ""),
    ("erez", ""),
    ("erai", ""),
    ("ying", "y"),
    ("ing", ""),
    ("ant", ""),
    ("ent", ""),
    ("ait", ""),
    ("ied", "y"),
    ("ed", ""),
    ("er", ""),
    ("ez", ""),
    ("ee", ""),
    ("ai", ""),
    ("y", ""),
)
_VOWELS = frozenset("aeiouy")
_CACHE: dict[str, str] = {}
_CACHE_MAX = 200_000


def fold(text: str) -> str:
    """Lower-case and strip accents (``Épargné`` → ``epargne``)."""
    lowered = text.lower().translate(_LIGATURES)
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _plural(word: str) -> str:
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith(("s", "x")):
        return word[:-1]
    return word


def _strip_once(word: str) -> str:
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def stem(word: str) -> str:
    """The stem of one folded token (cached: the vocabulary of a stream repeats a lot)."""
    cached = _CACHE.get(word)
    if cached is not None:
        return cached
    out = _plural(word)
    for _ in range(2):
        nxt = _strip_once(out)
        if nxt == out:
            break
        out = nxt
    if len(out) > 3 and out.endswith("e"):
        out = out[:-1]
    if len(out) > 3 and out[-1] == out[-2] and out[-1] not in _VOWELS:
        out = out[:-1]
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[word] = out
    return out


def tokens(text: str) -> list[str]:
    """Folded word tokens; anything that is not a letter or a digit is a word boundary."""
    return _TOKEN.findall(fold(text))


def stems(text: str) -> list[str]:
    """Stems of the word tokens of ``text``, in order."""
    return [stem(t) for t in tokens(text)]


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """A rule phrase as a stem sequence; ``*`` stands for exactly one word."""
    out: list[str] = []
    for part in fold(phrase).split():
        if part == "*":
            out.append("*")
        else:
            out.extend(stem(t) for t in _TOKEN.findall(part))
    return tuple(out)
