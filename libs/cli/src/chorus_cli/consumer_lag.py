"""Consumer lag of the Chorus consumer groups, read from the broker (``chorus lag``).

Committed offsets come from the admin client (with an explicit partition list, which the
embedded broker needs); end offsets from ``ListOffsets`` on Apache Kafka, and from the
high-water mark of a fetch on the embedded broker, whose end offsets count record batches.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from chorus_common.contracts.topics import ALL_TOPICS
from chorus_common.messaging.bus.capabilities import probe_broker

GROUP_PREFIX = "chorus-"


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group has committed nothing there yet
    end: int

    @property
    def service(self) -> str:
        """``chorus-<service>-<consumer>`` → ``<service>``."""
        return self.group.removeprefix(GROUP_PREFIX).split("-", 1)[0]

    @property
    def lag(self) -> int:
        return max(0, self.end - (self.committed or 0))


async def group_lags(
    bootstrap: str, *, prefix: str = GROUP_PREFIX, topics: Sequence[str] = ALL_TOPICS
) -> list[PartitionLag]:
    """Lag per group (named ``prefix…``), topic and partition, for every topic of ``topics``
    on which the group has committed an offset; sorted by group, topic, partition."""
    caps = await probe_broker(bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        groups = sorted(g for g, *_ in await admin.list_consumer_groups() if g.startswith(prefix))
        existing = {
            t["topic"]: len(t["partitions"])
            for t in await admin.describe_topics(list(topics))
            if not t["error_code"]
        }
        tps = [TopicPartition(t, p) for t, n in sorted(existing.items()) for p in range(n)]
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group, partitions=tps)
            committed[group] = {tp: o.offset for tp, o in offsets.items() if o.offset >= 0}
    finally:
        await admin.close()
    if not tps:
        return []
    ends = await (
        _end_offsets(bootstrap, tps)
        if caps.exact_end_offsets
        else _highwaters(bootstrap, tps, committed)
    )
    out = []
    for group in groups:
        seen = {tp.topic for tp in committed[group]}
        for tp in tps:
            if tp.topic in seen:
                out.append(
                    PartitionLag(group, tp.topic, tp.partition, committed[group].get(tp), ends[tp])
                )
    return out


async def _end_offsets(bootstrap: str, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        return ends
    finally:
        await consumer.stop()


async def _highwaters(
    bootstrap: str,
    tps: list[TopicPartition],
    committed: dict[str, dict[TopicPartition, int]],
    timeout_s: float = 15.0,
) -> dict[TopicPartition, int]:
    """The high-water mark each partition's fetch reports, fetching from the lowest committed
    offset (a small fetch: only the mark is wanted)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        max_partition_fetch_bytes=1024,
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, min((c[tp] for c in committed.values() if tp in c), default=0))
        deadline = time.monotonic() + timeout_s
        while True:
            marks = {tp: consumer.highwater(tp) for tp in tps}
            if all(m is not None for m in marks.values()):
                return {tp: int(m) for tp, m in marks.items() if m is not None}
            if time.monotonic() > deadline:
                missing = sorted(
                    f"{tp.topic}:{tp.partition}" for tp, m in marks.items() if m is None
                )
                raise TimeoutError(f"no high-water mark for {missing}")
            await consumer.getmany(timeout_ms=200)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
