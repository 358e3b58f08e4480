"""Keyed messages go to the partition every Kafka client picks for the key (murmur2)."""

from __future__ import annotations

import pytest
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from chorus_common.messaging.bus.kafka import KafkaProducer
from chorus_common.messaging.bus.partition import KeyPartitioner
from chorus_common.settings import CommonSettings


@pytest.mark.unit
def test_partitions_match_the_java_clients_for_known_keys() -> None:
    # The Java client's partitions of these keys over 1,000 partitions (as kafka-python's
    # compatibility test pins them).
    parts = list(range(1000))
    pick = KeyPartitioner()
    keys = [b"", b"a", b"ab", b"abc", b"123456789", b"\x00 "]
    assert [pick(k, parts, parts) for k in keys] == [681, 524, 434, 107, 566, 742]


@pytest.mark.unit
def test_remembered_hashes_are_bounded_and_give_the_same_partition() -> None:
    pick = KeyPartitioner(size=4)
    parts = list(range(6))
    keys = [f"thread-{i}".encode() for i in range(10)]
    first = [pick(k, parts, parts) for k in keys]
    assert len(pick.hashes) <= 4
    assert [pick(k, parts, parts) for k in keys] == first
    assert first == [(aiokafka_murmur2(k) & 0x7FFFFFFF) % 6 for k in keys]


@pytest.mark.unit
def test_a_message_without_a_key_goes_to_an_available_partition() -> None:
    pick = KeyPartitioner()
    assert {pick(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert {pick(None, [0, 1], []) for _ in range(50)} <= {0, 1}


@pytest.mark.unit
async def test_the_kafka_producer_partitions_with_it() -> None:
    producer = KafkaProducer(CommonSettings(), client_id="t").build(idempotent=False)
    try:
        assert isinstance(producer._partitioner, KeyPartitioner)
    finally:
        await producer.stop()  # never started: closes it without a broker
