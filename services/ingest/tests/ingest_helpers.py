"""Helpers shared by the ingest tests (test-only; never imported by src)."""

from __future__ import annotations

from typing import Any

import orjson
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.messaging.envelope import Envelope

from tests.support.fixtures import FAST_KAFKA_ENV


def settings_kw(**extra: Any) -> dict[str, Any]:
    return {**FAST_KAFKA_ENV, "poller_enabled": False, **extra}


def generic_post(native_id: str, text: str = "hello", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": native_id,
        "channel": "crm",
        "text": text,
        "author": {"id": "u1", "handle": "jane"},
        "created_at": "2026-01-01T10:00:00Z",
    }
    doc.update(extra)
    return doc


def envelopes(broker: MemoryBroker, topic: str) -> list[Envelope]:
    return [Envelope.from_bytes(r.value) for r in broker.records(topic)]


def body(doc: Any) -> bytes:
    return orjson.dumps(doc)


async def wait_published(
    broker: MemoryBroker, n: int, what: str, topic: str = "chorus.posts.v1"
) -> None:
    """Wait (bounded) until exactly ``n`` records are on ``topic``."""
    from tests.support.wait import wait_for

    async def exactly() -> bool:
        return len(broker.records(topic)) == n

    await wait_for(exactly, what=what)
