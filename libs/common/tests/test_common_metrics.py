"""Series that alerts and panels read exist from start-up at zero; buckets cover what they
measure; the lists of known label values stay complete."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest
from chorus_common.contracts import topics
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging import envelope
from chorus_common.messaging.bus import loop
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.envelope import Envelope
from chorus_common.metrics import ASSIGNMENT_BUCKETS, DEAD_LETTER_CODES, Metrics
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.wait import wait_for

pytestmark = pytest.mark.unit


def _samples(m: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(m.registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }


def _string_args(source: str, callee: str) -> set[str]:
    """The string literals passed first to ``callee(...)`` in ``source``."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == callee:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.add(first.value)
    return out


def test_retries_and_rate_limiting_are_exported_at_zero_before_anything_happens() -> None:
    s = _samples(Metrics("router"))
    assert s[("chorus_handler_retries_total", (("service", "router"),))] == 0
    assert s[("chorus_http_rate_limited_total", (("service", "router"),))] == 0
    assert s[("chorus_outbox_pending", (("service", "router"),))] == 0


def test_a_consumer_exports_dead_letters_per_code_and_events_per_type_at_zero() -> None:
    m = Metrics("router")
    m.expect_consumer([topics.POSTS, topics.REPLIES])
    s = _samples(m)
    for topic in (topics.POSTS, topics.REPLIES):
        for code in DEAD_LETTER_CODES:
            key = (("code", code), ("origin", topic), ("service", "router"))
            assert s[("chorus_dead_letters_total", key)] == 0
    key = (("service", "router"), ("topic", topics.POSTS), ("type", "post.received"))
    assert s[("chorus_events_consumed_total", key)] == 0
    key = (("service", "router"), ("topic", topics.REPLIES), ("type", "reply.sent"))
    assert s[("chorus_events_consumed_total", key)] == 0
    assert not any(
        name == "chorus_dead_letters_total" and ("origin", topics.CASES) in labels
        for name, labels in s
    ), "only the consumed topics"


def test_post_to_assignment_buckets_reach_days_for_cases_that_wait_in_a_queue() -> None:
    assert list(ASSIGNMENT_BUCKETS) == sorted(ASSIGNMENT_BUCKETS)
    assert ASSIGNMENT_BUCKETS[0] <= 0.005
    assert ASSIGNMENT_BUCKETS[-1] >= 24 * 3600
    m = Metrics("router")
    m.e2e_latency.labels("router").observe(3 * 3600)
    s = _samples(m)
    le = (("le", "14400.0"), ("service", "router"))
    assert s[("chorus_post_to_assignment_seconds_bucket", le)] == 1
    below = (("le", "3600.0"), ("service", "router"))
    assert s[("chorus_post_to_assignment_seconds_bucket", below)] == 0


def test_every_decode_error_code_is_listed() -> None:
    assert _string_args(inspect.getsource(envelope), "DecodeError") == set(envelope.DECODE_CODES)


async def test_the_consumer_loop_dead_letters_only_with_codes_started_at_zero(
    memory_broker: Any,
) -> None:
    async def failing(batch: list[Envelope]) -> None:
        raise ValueError("cannot handle this")

    m = Metrics("t")
    m.expect_consumer([topics.CASES])
    known = set(_samples(m))
    producer = memory_broker.producer()
    consumer_loop = loop.ConsumerLoop(
        name="t",
        group_id="g",
        consumer=memory_broker.consumer("g", [topics.CASES]),
        producer=producer,
        handler=failing,
        metrics=m,
    )
    event = envelope.make_event(
        "case.opened", CaseEvent(case_id="c1", thread_id="t1", status="new"), producer="t"
    )
    await consumer_loop.start()
    try:
        await producer.send_many([OutMessage(topics.CASES, b"t1", event.to_bytes())])
        await producer.send_many([OutMessage(topics.CASES, b"t0", b"not json")])

        async def two_dead() -> bool:
            return len(memory_broker.records(topics.DLQ)) == 2

        await wait_for(two_dead, timeout=10, what="two dead letters")
    finally:
        await consumer_loop.stop()
    letters = [Envelope.from_bytes(r.value) for r in memory_broker.records(topics.DLQ)]
    named = {(e.parsed().error_code, e.parsed().post_id, e.trace_id) for e in letters}
    assert ("handler_error", None, event.trace_id) in named, "the original's trace id"
    after = _samples(m)
    dead = {k: v for k, v in after.items() if k[0] == "chorus_dead_letters_total" and v}
    codes = {dict(labels)["code"] for _, labels in dead}
    assert codes == {"handler_error", "invalid_json"}
    assert set(dead) <= known, "every dead-letter series existed before its first increment"
