"""Keyword and hashtag extraction from a post, and the sentiment label fallback."""

from __future__ import annotations

import re
from collections.abc import Iterable

_HASHTAG = re.compile(r"(?<![\w#])#(\w[\w-]{0,62})", re.UNICODE)
MAX_TERMS = 20
MAX_TERM_LEN = 128


def hashtags(text: str) -> list[str]:
    """``#Tag`` occurrences, lower-cased, with their ``#``, first occurrence order."""
    seen: dict[str, None] = {}
    for m in _HASHTAG.finditer(text):
        seen.setdefault("#" + m.group(1).lower(), None)
    return list(seen)


def terms(keywords: Iterable[str], text: str) -> list[str]:
    """The post's keywords (from its signals) plus hashtags found in its text, deduplicated."""
    seen: dict[str, None] = {}
    for k in [*keywords, *hashtags(text)]:
        k = k.strip().lower()[:MAX_TERM_LEN]
        if k:
            seen.setdefault(k, None)
    return list(seen)[:MAX_TERMS]


def sentiment_label(label: str | None, score: float | None) -> str:
    """The signal's label, else one derived from its score (±0.05, VADER's convention)."""
    if label:
        return label
    if score is None:
        return ""
    if score >= 0.05:
        return "positive"
    if score <= -0.05:
        return "negative"
    return "neutral"
