"""Mastodon's reply length: characters, with every http(s) URL counted as 23."""

from __future__ import annotations

import re

from chorus_platforms.kit.textlength import URL_LENGTH, url_spans

_SCHEMED_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def mastodon_length(text: str) -> int:
    """Mastodon's count: characters, with every http(s) URL counted as 23."""
    total, pos = 0, 0
    for start, end in url_spans(text, _SCHEMED_URL):
        total += len(text[pos:start]) + URL_LENGTH
        pos = end
    return total + len(text[pos:])
