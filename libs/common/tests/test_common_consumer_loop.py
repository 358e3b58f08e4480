"""The consumer loop: commit after durable work, DLQ for poison, retry on transient errors.

The same behaviour is checked on the in-memory broker and on a real Tansu broker.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from chorus_common.contracts.events import CaseEvent, DeadLetter
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.factory import KafkaBus
from chorus_common.messaging.bus.failures import PermanentError
from chorus_common.messaging.bus.loop import ConsumerLoop
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_common.metrics import Metrics
from chorus_common.settings import CommonSettings
from sqlalchemy.exc import OperationalError

from tests.support.fixtures import FAST_KAFKA_ENV
from tests.support.wait import wait_for


def _ev(i: int) -> Envelope:
    return make_event(
        "case.opened", CaseEvent(case_id=f"c{i}", thread_id=f"t{i}", status="new"), producer="t"
    )


def _msg(env: Envelope) -> OutMessage:
    return OutMessage("chorus.cases.v1", env.payload["thread_id"].encode(), env.to_bytes())


def _memory_loop(memory_broker: Any, producer: Any, handler: Any, name: str, group: str = "g",
                 **kw: Any) -> ConsumerLoop:  # fmt: skip
    """A consumer loop on the in-memory broker reading chorus.cases.v1 as ``group``."""
    return ConsumerLoop(
        name=name,
        group_id=group,
        consumer=memory_broker.consumer(group, ["chorus.cases.v1"]),
        producer=producer,
        handler=handler,
        metrics=Metrics("t"),
        **kw,
    )


class Recorder:
    """A handler that fails on demand: transiently N times, or permanently for one case."""

    def __init__(self, transient_failures: int = 0, poison_case: str | None = None) -> None:
        self.seen: list[str] = []
        self.transient_failures = transient_failures
        self.poison_case = poison_case
        self.calls = 0

    async def __call__(self, events: list[Envelope]) -> None:
        self.calls += 1
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("db down"))
        if any(e.payload["case_id"] == self.poison_case for e in events):
            raise PermanentError("bad_case", "this case cannot be handled")
        self.seen.extend(e.payload["case_id"] for e in events)


async def _scenario(producer, consumer_factory, dlq_count) -> None:
    rec = Recorder(transient_failures=2, poison_case="c3")
    loop = ConsumerLoop(
        name="t",
        group_id="g",
        consumer=consumer_factory(),
        producer=producer,
        handler=rec,
        metrics=Metrics("test"),
    )
    await loop.start()
    try:
        await producer.send_many([_msg(_ev(i)) for i in range(3)])
        await producer.send_many([OutMessage("chorus.cases.v1", b"t0", b"\xff not json")])
        await producer.send_many([_msg(_ev(i)) for i in range(3, 6)])

        async def all_done():
            return sorted(rec.seen) == ["c0", "c1", "c2", "c4", "c5"] and await dlq_count() == 2

        await wait_for(all_done, timeout=30, what="every good event handled and two dead letters")
        assert rec.calls >= 3, "transient failures must be retried"
    finally:
        await loop.stop()


@pytest.mark.unit
async def test_poison_goes_to_dlq_and_transient_errors_retry_on_memory_bus(memory_broker) -> None:
    async def dlq_count():
        return len(memory_broker.records("chorus.dlq.v1"))

    await _scenario(
        memory_broker.producer(),
        lambda: memory_broker.consumer("g", ["chorus.cases.v1"]),
        dlq_count,
    )
    reasons = [
        Envelope.from_bytes(r.value).payload["error_code"]
        for r in memory_broker.records("chorus.dlq.v1")
    ]
    assert sorted(reasons) == ["bad_case", "invalid_json"]


@pytest.mark.unit
async def test_a_record_the_decoder_trips_on_goes_to_dlq_and_the_rest_is_handled(
    memory_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    decode = Envelope.from_bytes

    def tripping(raw: bytes) -> Envelope:
        if raw == b"trip":
            raise RuntimeError("decoder bug")
        return decode(raw)

    monkeypatch.setattr(Envelope, "from_bytes", staticmethod(tripping))
    rec = Recorder()
    producer = memory_broker.producer()
    loop = _memory_loop(memory_broker, producer, rec, "t")
    await loop.start()
    try:
        await producer.send_many([_msg(_ev(0)), OutMessage("chorus.cases.v1", b"t0", b"trip")])
        await producer.send_many([_msg(_ev(1))])

        async def done() -> bool:
            return rec.seen == ["c0", "c1"] and len(memory_broker.records("chorus.dlq.v1")) == 1

        await wait_for(done, timeout=10, what="both events handled and one dead letter")
    finally:
        await loop.stop()
    dead = DeadLetter.model_validate(
        decode(memory_broker.records("chorus.dlq.v1")[0].value).payload
    )
    assert (dead.error_code, dead.error) == ("decode_failed", "RuntimeError: decoder bug")
    assert dead.original() == b"trip"


@pytest.mark.integration
async def test_poison_goes_to_dlq_and_transient_errors_retry_on_the_broker(broker) -> None:
    settings = CommonSettings(kafka_bootstrap_servers=broker, service_name="t", **FAST_KAFKA_ENV)
    bus = KafkaBus(settings)
    producer = bus.producer()
    await producer.start()
    dlq_consumer = bus.consumer("dlq-reader", ["chorus.dlq.v1"])
    await dlq_consumer.start()
    dead: list[bytes] = []

    async def dlq_count():
        dead.extend(r.value for r in await dlq_consumer.getmany(100, 100))
        return len(dead)

    try:
        await _scenario(producer, lambda: bus.consumer("g", ["chorus.cases.v1"]), dlq_count)
        originals = {Envelope.from_bytes(d).parsed().original() for d in dead}
        assert b"\xff not json" in originals
    finally:
        await dlq_consumer.stop()
        await producer.stop()


@pytest.mark.unit
async def test_uncommitted_batch_is_redelivered_after_restart(memory_broker) -> None:
    """A crash before the handler finished: nothing is committed, the batch comes back."""
    producer = memory_broker.producer()
    await producer.send_many([_msg(_ev(i)) for i in range(4)])
    blocked = asyncio.Event()

    async def never_finishes(events):
        blocked.set()
        await asyncio.Event().wait()

    loop = _memory_loop(memory_broker, producer, never_finishes, "a")
    await loop.start()
    await asyncio.wait_for(blocked.wait(), 5)
    assert loop._task is not None
    loop._task.cancel()  # the "crash"
    rec = Recorder()
    loop2 = _memory_loop(memory_broker, producer, rec, "b")
    await loop2.start()
    try:
        await wait_for(lambda: _done(rec, 4), timeout=10, what="redelivery")
        assert sorted(rec.seen) == ["c0", "c1", "c2", "c3"]
    finally:
        await loop2.stop()


async def _done(rec: Recorder, n: int) -> bool:
    return len(rec.seen) >= n


@pytest.mark.unit
async def test_durable_batches_are_committed_together_once_the_topic_goes_quiet(
    memory_broker,
) -> None:
    producer = memory_broker.producer()
    rec = Recorder()
    loop = _memory_loop(
        memory_broker,
        producer,
        rec,
        "q",
        "gq",
        max_records=2,
        commit_interval_s=3600,  # only quiet topics and stop() commit here
    )
    await loop.start()
    try:
        await producer.send_many([_msg(_ev(i)) for i in range(6)])
        await wait_for(lambda: _done(rec, 6), timeout=10, what="all handled")

        async def committed_all() -> bool:
            offsets = memory_broker.committed.get("gq", {})
            return sum(offsets.values()) == 6

        await wait_for(committed_all, timeout=10, what="offsets committed when quiet")
        assert rec.calls >= 3, "several batches, one commit"
    finally:
        await loop.stop()


class _ScriptedConsumer:
    """Returns one record on the first fetch, the rest on the next; records commits."""

    def __init__(self, records: list[bytes]) -> None:
        from chorus_common.messaging.bus.base import Record

        recs = [Record("chorus.cases.v1", 0, i, b"k", v, 0) for i, v in enumerate(records)]
        self.script = [recs[:1], recs[1:]]
        self.fetches: list[tuple[int, int]] = []
        self.committed: dict[tuple[str, int], int] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def getmany(self, timeout_ms: int, max_records: int):
        self.fetches.append((timeout_ms, max_records))
        if self.script:
            return self.script.pop(0)
        await asyncio.sleep(timeout_ms / 1000)  # an idle fetch waits like the broker's
        return []

    async def commit(self, offsets) -> None:
        self.committed.update(offsets)

    async def lag(self, committed):
        return {}

    def set_revoke_hook(self, hook) -> None:
        return None


def _gathering(memory_broker, n: int, gather_ms: int) -> tuple[ConsumerLoop, Any, list[int]]:
    """A loop over ``n`` scripted records (one, then the rest) that gathers for ``gather_ms``;
    the sizes of the batches it handles go to the returned list."""
    consumer = _ScriptedConsumer([_ev(i).to_bytes() for i in range(n)])
    sizes: list[int] = []

    async def handler(events: list[Envelope]) -> None:
        sizes.append(len(events))

    loop = ConsumerLoop(
        name="t",
        group_id="g",
        consumer=consumer,
        producer=memory_broker.producer(),
        handler=handler,
        metrics=Metrics("test"),
        max_records=10,
        timeout_ms=20,
        gather_ms=gather_ms,
    )
    return loop, consumer, sizes


@pytest.mark.unit
@pytest.mark.parametrize(("gather_ms", "batches"), [(0, [1, 2]), (5, [3])])
async def test_gather_tops_up_a_small_batch(memory_broker, gather_ms, batches) -> None:
    loop, consumer, sizes = _gathering(memory_broker, 3, gather_ms)
    await loop.start()
    try:

        async def handled_all():
            return sum(sizes) == 3 and consumer.committed

        await wait_for(handled_all, timeout=10, what="three events handled and committed")
        assert sizes == batches
        assert consumer.committed == {("chorus.cases.v1", 0): 3}
        if gather_ms:
            wait_ms, wanted = consumer.fetches[1]
            assert wanted == 9, "the top-up asks only for what is left"
            assert 0 < wait_ms <= gather_ms, "and waits no longer than the gather window"
    finally:
        await loop.stop()


@pytest.mark.unit
async def test_gather_stops_as_soon_as_the_batch_is_full(memory_broker) -> None:
    """A long gather window does not hold up a batch that is already full (a backlog)."""
    loop, _consumer, sizes = _gathering(memory_broker, 10, 60_000)
    await loop.start()
    try:

        async def handled_all() -> bool:
            return sum(sizes) == 10

        await wait_for(handled_all, timeout=10, what="the full batch handled")
        assert sizes == [10]
    finally:
        await loop.stop()


@pytest.mark.unit
async def test_after_batch_runs_once_after_each_handled_batch(memory_broker: Any) -> None:
    """The runtime relays a batch's events here, before the next fetch."""
    rec = Recorder()
    after: list[int] = []

    async def relay() -> None:
        after.append(len(rec.seen))  # the batch is handled before this runs

    producer = memory_broker.producer()
    loop = _memory_loop(memory_broker, producer, rec, "t", after_batch=relay)
    await loop.start()
    try:
        await producer.send_many([_msg(_ev(0)), _msg(_ev(1))])

        async def first() -> bool:
            return len(after) == rec.calls == 1

        await wait_for(first, timeout=10, what="the first batch and its after-batch call")
        await producer.send_many([_msg(_ev(2))])

        async def second() -> bool:
            return len(after) == rec.calls == 2

        await wait_for(second, timeout=10, what="the second batch and its after-batch call")
    finally:
        await loop.stop()
    assert after == [2, 3]


@pytest.mark.unit
async def test_a_post_that_fails_its_handler_is_dead_lettered_naming_the_post_and_trace(
    memory_broker: Any,
) -> None:
    from datetime import UTC, datetime

    from chorus_common.contracts.events import Author, Post, PostReceived

    async def failing(events: list[Envelope]) -> None:
        raise ValueError("cannot route this")

    post = Post(
        id="x:77", platform="x", channel="@brand", kind="mention", native_id="77",
        thread_id="x:77", author=Author(id="u1"), text="hello",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    event = make_event("post.received", PostReceived(post=post), producer="t")
    producer = memory_broker.producer()
    loop = ConsumerLoop(
        name="t",
        group_id="g",
        consumer=memory_broker.consumer("g", ["chorus.posts.v1"]),
        producer=producer,
        handler=failing,
        metrics=Metrics("router"),
    )
    await loop.start()
    try:
        await producer.send_many([OutMessage("chorus.posts.v1", b"x:77", event.to_bytes())])

        async def dead() -> bool:
            return len(memory_broker.records("chorus.dlq.v1")) == 1

        await wait_for(dead, timeout=10, what="one dead letter")
    finally:
        await loop.stop()
    letter = Envelope.from_bytes(memory_broker.records("chorus.dlq.v1")[0].value)
    assert letter.parsed().post_id == "x:77"
    assert letter.trace_id == event.trace_id
    assert letter.parsed().source == "router:chorus.posts.v1"
