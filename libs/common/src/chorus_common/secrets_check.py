"""Is a production secret guessable? Known placeholders and low-entropy values are refused.

The entropy is estimated from the value itself: the length of its repeating pattern (the
whole value when it has none) times the Shannon entropy of its characters (a random hex
string of 64 characters scores ~250 bits, ``z`` * 40 scores 0, ``0123456789`` * 4 scores 33). It cannot see that a value was copied from a web page, so
known placeholders (the manifests' ``REPLACE…``, ``changeme``, the development default) are
refused by name too.
"""

from __future__ import annotations

import math
from collections import Counter
from urllib.parse import unquote, urlsplit

# Words that mark a value someone was meant to replace (matched anywhere, any case). Each has
# a letter beyond a-f, so no hex string (``openssl rand -hex``) ever contains one.
PLACEHOLDER_WORDS = (
    "replace",
    "change",
    "placeholder",
    "example",
    "secret",
    "password",
    "passwd",
    "default",
    "dummy",
    "sample",
    "todo",
    "fixme",
    "your-",
    "your_",
    "xxxx",
    "qwerty",
    "chorus",
)
# Secrets longer than this are checked for repetition in their first this many characters.
MAX_CHECKED = 1024
# Whole values that are placeholders however short (database passwords of sample stacks).
PLACEHOLDER_VALUES = frozenset({"postgres", "admin", "root", "test", "pass", "chorus"})


def _period(value: str) -> int:
    """The length of the shortest pattern whose repetition spells ``value``."""
    n = len(value)
    for p in range(1, min(n, MAX_CHECKED) + 1):
        if all(value[i] == value[i - p] for i in range(p, n)):
            return p
    return n


def entropy_bits(value: str) -> float:
    """Estimated bits: the length of the value's repeating pattern (the whole value when none)
    times the Shannon entropy of its characters' frequencies."""
    unit = value[: _period(value)]
    if not unit:
        return 0.0
    counts = Counter(unit)
    n = len(unit)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values())
    return n * per_char


def weakness(value: str, *, min_length: int, min_bits: float) -> str | None:
    """Why ``value`` is no secret (a short phrase), or None when it looks random enough."""
    lowered = value.lower()
    if lowered in PLACEHOLDER_VALUES or any(w in lowered for w in PLACEHOLDER_WORDS):
        return "is a known placeholder"
    if len(value) < min_length:
        return f"is shorter than {min_length} characters"
    if entropy_bits(value) < min_bits:
        return f"has too little entropy (under {min_bits:.0f} bits)"
    return None


def url_password(url: str) -> str | None:
    """The password of a database URL (``scheme://user:password@host/db``), if it has one."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None
