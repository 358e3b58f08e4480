"""Text length helpers shared by the platforms' reply limits: URL spans and UTF-8 bytes."""

from __future__ import annotations

import re

# Platforms that shorten links count every URL as this many characters (t.co, Mastodon).
URL_LENGTH = 23
_TRAILING_PUNCT = ".,;:!?)]}'\""


def url_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where ``pattern`` finds URLs in ``text``, trailing punctuation left out."""
    spans = []
    for m in pattern.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        spans.append((start, end))
    return spans


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))
