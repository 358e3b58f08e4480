"""Pure dedup/edit decisions: a content hash per post and the outcome against what was seen."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import orjson
from chorus_common.events import Post

Outcome = Literal["accepted", "duplicate", "updated"]


def content_hash(post: Post) -> str:
    """What makes an edit: text, rating, kind, parent and media (not counters, not signals)."""
    doc = (
        post.kind,
        post.text,
        post.rating,
        post.in_reply_to,
        post.url,
        [(m.type, m.url) for m in post.media],
    )
    return hashlib.sha256(orjson.dumps(doc)).hexdigest()


@dataclass(frozen=True)
class Seen:
    content_hash: str
    revision: int


def decide(previous: Seen | None, digest: str) -> tuple[Outcome, int]:
    """Outcome and the revision to publish for a post whose content hashes to ``digest``."""
    if previous is None:
        return "accepted", 1
    if previous.content_hash == digest:
        return "duplicate", previous.revision
    return "updated", previous.revision + 1
