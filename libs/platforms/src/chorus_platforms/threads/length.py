"""The length Threads counts against its 500 limit: characters, with every emoji counted as
its UTF-8 byte length, as the Threads API documents for a post's ``text``
(limit: https://developers.facebook.com/docs/threads/overview)."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")


def threads_length(text: str) -> int:
    """Code points, except that an emoji (with its modifiers and joiners) weighs its bytes."""
    total = 0
    for cluster in _GRAPHEME.findall(text):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else len(cluster)
    return total
