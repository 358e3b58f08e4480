"""Bluesky's reply length: a post's ``text`` takes 300 graphemes (and 3,000 UTF-8 bytes), as
the ``app.bsky.feed.post`` lexicon says (``maxGraphemes``, ``maxLength``)."""

from __future__ import annotations

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """Extended grapheme clusters (an emoji with its modifiers and joiners is one)."""
    return len(_GRAPHEME.findall(text))


def bluesky_length(text: str) -> int:
    """Graphemes; a text past the byte limit counts as past the grapheme limit too."""
    count = graphemes(text)
    return max(count, MAX_GRAPHEMES + 1) if len(text.encode("utf-8")) > MAX_BYTES else count
