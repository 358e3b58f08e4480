"""Rich-text facets of a reply: links and mentions Bluesky shows as such only when the record
says where they are, in UTF-8 byte offsets (``app.bsky.richtext.facet``,
https://docs.bsky.app/docs/advanced-guides/post-richtext)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chorus_platforms.kit.textlength import url_spans

_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)+)")


@dataclass(frozen=True)
class Span:
    """A link (``value`` = the URL) or a mention (``value`` = the handle) in the text."""

    kind: str
    value: str
    start: int  # UTF-8 byte offset
    end: int


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def spans(text: str) -> list[Span]:
    """The links and ``@handle`` mentions of ``text``, in order."""
    found = [
        Span("link", text[s:e], _bytes(text, s), _bytes(text, e)) for s, e in url_spans(text, _URL)
    ]
    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(".-")
        end = m.start() + 1 + len(handle)
        if not any(f.start <= _bytes(text, m.start()) < f.end for f in found):
            found.append(Span("mention", handle, _bytes(text, m.start()), _bytes(text, end)))
    return sorted(found, key=lambda f: f.start)


def facet(span: Span, did: str | None = None) -> dict[str, Any]:
    """The facet of a link, or of a mention whose handle resolved to ``did``."""
    if span.kind == "link":
        feature: dict[str, Any] = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
    else:
        feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
    return {"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]}
