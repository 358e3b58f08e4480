"""A key lands on the same partition whether Chorus's producer or a client with Kafka's
default partitioner (kcat, librdkafka's murmur2_random) produced it, both ways; librdkafka's
own default (consistent_random, CRC32) does not, which is why docs/asyncapi.yaml names it."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from chorus_cli.provisioning import provision_topics
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.kafka import KafkaConsumer, KafkaProducer
from chorus_common.settings import CommonSettings

from tests.support import kcat
from tests.support.wait import wait_for_sync

pytestmark = [pytest.mark.integration, pytest.mark.interop]

PARTITIONS = 6
N_KEYS = 400


def keys(run: str) -> list[str]:
    """Thread ids of every length remainder mod 4 (murmur2's tail), non-ASCII ones included."""
    out = []
    for i in range(N_KEYS):
        base = ("x:", "generic:", "reddit:t3_", "mastodon:é", "email:<スレッド")[i % 5]
        out.append(f"{base}{run}-{i}{'#' * (i % 7)}")
    return out


def fresh_topic(bootstrap: str) -> str:
    name = f"interop.partitions.{uuid.uuid4().hex[:8]}"
    asyncio.run(provision_topics(bootstrap, partitions=PARTITIONS, topics=[name]))
    # Kafka creates a topic's partitions a moment after it answers the create
    wait_for_sync(lambda: kcat.partitions(bootstrap, name) == PARTITIONS, timeout=30,
                  interval=0.2, what=f"{name}'s {PARTITIONS} partitions")  # fmt: skip
    return name


async def chorus_produce(bootstrap: str, topic: str, records: list[tuple[str, bytes]]) -> None:
    producer = KafkaProducer(CommonSettings(kafka_bootstrap_servers=bootstrap), "interop")
    await producer.start()
    try:
        await producer.send_many([OutMessage(topic, k.encode(), v) for k, v in records])
    finally:
        await producer.stop()


async def chorus_consume(bootstrap: str, topic: str, want: int) -> dict[str, int]:
    """key → partition of the first ``want`` records, read by Chorus's consumer."""
    settings = CommonSettings(kafka_bootstrap_servers=bootstrap, kafka_heartbeat_interval_ms=500)
    consumer = KafkaConsumer(
        settings, group_id=f"interop-{uuid.uuid4().hex[:8]}", topics=[topic], client_id="interop"
    )
    await consumer.start()
    seen: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 60
        while len(seen) < want:
            assert time.monotonic() < deadline, f"read {len(seen)} of {want} records"
            for rec in await consumer.getmany(timeout_ms=500, max_records=1000):
                assert rec.key is not None
                seen[rec.key.decode()] = rec.partition
    finally:
        await consumer.stop()
    return seen


def kcat_read(bootstrap: str, topic: str) -> dict[str, int]:
    return {r["key"]: r["partition"] for r in kcat.consume(bootstrap, topic)}


def test_chorus_and_kcat_put_every_key_on_the_same_partition(broker: str) -> None:
    kcat.require_apache_kafka()
    run = uuid.uuid4().hex[:8]
    ks = keys(run)
    records = [(k, f'{{"n":{i}}}'.encode()) for i, k in enumerate(ks)]

    by_chorus = fresh_topic(broker)
    asyncio.run(chorus_produce(broker, by_chorus, records))
    chorus_placed = kcat_read(broker, by_chorus)  # read back by kcat

    by_kcat = fresh_topic(broker)
    kcat.produce(broker, by_kcat, records, partitioner=kcat.MURMUR2)
    kcat_placed = asyncio.run(chorus_consume(broker, by_kcat, len(ks)))  # read by Chorus

    assert set(chorus_placed) == set(kcat_placed) == set(ks)
    moved = {
        k: (chorus_placed[k], kcat_placed[k]) for k in ks if chorus_placed[k] != kcat_placed[k]
    }
    assert moved == {}
    assert len(set(chorus_placed.values())) == PARTITIONS, "the keys spread over every partition"


def test_librdkafkas_own_default_partitioner_puts_keys_elsewhere(broker: str) -> None:
    kcat.require_apache_kafka()
    run = uuid.uuid4().hex[:8]
    ks = keys(run)[:60]
    records = [(k, b"{}") for k in ks]
    murmur, default = fresh_topic(broker), fresh_topic(broker)
    kcat.produce(broker, murmur, records, partitioner=kcat.MURMUR2)
    kcat.produce(broker, default, records, partitioner=None)
    a, b = kcat_read(broker, murmur), kcat_read(broker, default)
    assert set(a) == set(b) == set(ks)
    assert sum(a[k] != b[k] for k in ks) > len(ks) // 2, "consistent_random is not murmur2"
