"""Micro-benchmark of the envelope on the wire: ``Envelope.to_bytes`` (the one encoder) and
``Envelope.from_bytes``, on a ``post.received`` and a ``case.assigned`` as the services build
them, beside pydantic's own serialization of the same envelope (what the encoder replaces)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
from chorus_common.contracts.events import Author, CaseEvent, Metrics, Post, PostReceived, Signals
from chorus_common.messaging.envelope import Envelope, make_event

ROUNDS = 5


def _best_us(fn: Callable[[], Any], n: int = 2000) -> float:
    """The fastest of a few rounds, in µs per call (the quietest round on a busy machine)."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - started) / n)
    return round(best * 1e6, 2)


def _samples() -> dict[str, Envelope]:
    at = datetime(2026, 11, 18, 10, 0, 5, 123456, tzinfo=UTC)
    post = Post(
        id="x:1790012345678901234",
        platform="x",
        channel="@brand",
        kind="mention",
        native_id="1790012345678901234",
        url="https://x.com/jdoe/status/1790012345678901234",
        thread_id="x:1790012345678901234",
        author=Author(id="44196397", handle="@jdoe", display_name="Jane Doe", followers=1834),
        text="@brand I ordered the blue jacket three weeks ago and it still hasn't arrived.",
        lang="en",
        created_at=at,
        received_at=at,
        metrics=Metrics(likes=3, shares=1, replies=2, views=412),
        signals=Signals(sentiment_score=-0.72, sentiment_label="negative", keywords=("order",)),
    )
    case = CaseEvent(
        case_id="c-7f3a9e2b4c", thread_id=post.thread_id, status="assigned", team="support",
        assignee="sam", priority="P2", sla_due_at=at, tags=("delivery",), platform="x",
        channel="@brand", post_ids=(post.id,), latest_post_id=post.id, post_received_at=at,
        opened_at=at, reason="rule support-delivery",
        decision={"matched": [{"rule": "support-delivery", "why": ["keywords: 'order'"]}]},
    )  # fmt: skip
    trusted = Envelope.trusted(
        type="post.received",
        producer="ingest",
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        occurred_at=at,
        payload=PostReceived(post=post).model_dump(mode="json"),
    )
    return {
        "post.received": trusted,
        "case.assigned": make_event("case.assigned", case, producer="router"),
    }


def _pydantic_bytes(env: Envelope) -> bytes:
    return orjson.dumps(env.model_dump(mode="json"))


def envelope_figures() -> dict[str, Any]:
    """µs per envelope: encode, pydantic's encode of the same document, decode."""
    out: dict[str, Any] = {}
    for kind, env in _samples().items():
        raw = env.to_bytes()
        encode = _best_us(env.to_bytes)
        pydantic = _best_us(partial(_pydantic_bytes, env))
        decode = _best_us(partial(Envelope.from_bytes, raw))
        out[f"envelope {kind} ({len(raw)} B) µs: encode / pydantic encode / decode"] = (
            f"{encode} / {pydantic} / {decode}"
        )
    return out


if __name__ == "__main__":
    for k, v in envelope_figures().items():
        print(f"{k}: {v}")
