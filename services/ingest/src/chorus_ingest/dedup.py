"""Pure dedup/edit decisions: new, update, duplicate or stale, whatever order deliveries come in.

Each post keeps its current content hash, its revision, the platform's own edit marker of
that content (:class:`~chorus_platforms.kit.inbound.Marker`) and the hashes of the contents
it had before. A delivery is ordered by its marker when both it and the stored state have
one of the same kind; otherwise (a platform without an edit marker, or equal markers) the
content hash is the last resort: content seen before is a duplicate and never comes back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import orjson
from chorus_common.contracts.events import Post
from chorus_platforms.kit.inbound import Marker

Outcome = Literal["accepted", "duplicate", "updated", "stale"]

# Hashes of earlier contents kept per post (16 hex digits each); a post edited more often
# than this forgets its oldest contents, which then order by marker alone.
HISTORY_MAX = 64
_SHORT = 16


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


@dataclass(frozen=True, slots=True)
class Seen:
    """What ingest recorded of a post: its current content and what it knows came before."""

    content_hash: str
    revision: int
    marker: Marker | None = None
    history: tuple[str, ...] = ()  # short hashes of earlier (or older, never current) contents

    def knows(self, digest: str) -> bool:
        return digest == self.content_hash or digest[:_SHORT] in self.history

    def history_text(self) -> str:
        return " ".join(self.history)

    @staticmethod
    def parse_history(text: str | None) -> tuple[str, ...]:
        return tuple(text.split()) if text else ()


def _remember(history: tuple[str, ...], digest: str) -> tuple[str, ...]:
    short = digest[:_SHORT]
    kept = tuple(h for h in history if h != short)
    return (*kept, short)[-HISTORY_MAX:]


def _order(previous: Marker | None, marker: Marker | None) -> int | None:
    """-1, 0 or 1 when both markers are of one kind; None when they cannot be compared."""
    if previous is None or marker is None or previous.kind != marker.kind:
        return None
    return (marker.value > previous.value) - (marker.value < previous.value)


def decide(
    previous: Seen | None, digest: str, marker: Marker | None = None
) -> tuple[Outcome, Seen | None]:
    """The outcome for content ``digest`` with edit ``marker``, and the state to record (None
    when nothing changes). An older revision never replaces a newer one; content already seen
    is a ``duplicate``; an older revision never seen is ``stale`` (remembered, not published)."""
    if previous is None:
        return "accepted", Seen(digest, 1, marker)
    if digest == previous.content_hash:
        return "duplicate", None
    order = _order(previous.marker, marker)
    if order == 1:
        return "updated", _updated(previous, digest, marker)
    if previous.knows(digest):
        return "duplicate", None
    if order == -1:
        kept = Seen(
            previous.content_hash,
            previous.revision,
            previous.marker,
            _remember(previous.history, digest),
        )
        return "stale", kept
    # Equal markers, or none to compare: content never seen before is the newer one.
    return "updated", _updated(previous, digest, marker)


def _updated(previous: Seen, digest: str, marker: Marker | None) -> Seen:
    history = _remember(previous.history, previous.content_hash)
    return Seen(digest, previous.revision + 1, marker or previous.marker, history)
