"""What ingest publishes: the enriched post and the envelopes staged in the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import DeadLetter, Post
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_signals import compute_signals, detect_language

from chorus_ingest.batch import Rejected


def enrich_for_publish(post: Post, now: datetime) -> Post:
    """Language (if missing), signals and the reception time, in one copy."""
    lang = post.lang or detect_language(post.text)
    signals = compute_signals(post.text, lang)
    return post.model_copy(update={"lang": lang, "signals": signals, "received_at": now})


def post_event(post_json: dict[str, Any], *, update: bool, revision: int, now: datetime,
               trace_id: str) -> Envelope:  # fmt: skip
    """A ``post.received`` envelope built without re-validating the already valid post."""
    return Envelope.trusted(
        type="post.received",
        occurred_at=now,
        producer="ingest",
        trace_id=trace_id,
        payload={"post": post_json, "is_update": update, "revision": revision},
    )


def dead_letter_event(item: Rejected, *, source: str, trace_id: str) -> Envelope:
    letter = DeadLetter.of(
        error=item.message,
        error_code=item.code,
        source=f"ingest.{source}",
        original=item.original,
        field=item.field,
        post_id=Post.make_id(source, item.native_id)[:600] if item.native_id else None,
    )
    return make_event("dead_letter", letter, producer="ingest", trace_id=trace_id)
