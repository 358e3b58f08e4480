"""The Kafka producer fills its own record batches: same partitions, same order, nothing lost.

Checked against a real Tansu broker: the messages a consumer reads back are the ones sent,
each once, on the partition aiokafka's own ``send`` would choose, in the order sent per key,
also when one call's messages overflow a partition's batch.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from chorus_cli.provisioning import provision_topics
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.kafka import KafkaProducer
from chorus_common.settings import CommonSettings

from tests.support.wait import wait_for

TOPIC = "batches.t"
PARTITIONS = 6


async def _read_all(bootstrap: str, expected: int) -> dict[int, list[tuple[bytes, bytes]]]:
    """(key, value) per partition, in offset order, once ``expected`` messages are there."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    got: dict[int, list[tuple[bytes, bytes]]] = defaultdict(list)
    try:
        tps = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)

        async def all_read() -> bool:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                got[tp.partition].extend((r.key, r.value) for r in records)
            return sum(map(len, got.values())) >= expected

        await wait_for(all_read, timeout=30, what=f"{expected} messages read back")
    finally:
        await consumer.stop()
    return got


@pytest.mark.integration
async def test_batched_send_keeps_partitions_and_order(broker: str) -> None:
    await provision_topics(broker, partitions=PARTITIONS, topics=[TOPIC])
    # Small batches, so one call's messages for a partition need several of them.
    settings = CommonSettings(kafka_bootstrap_servers=broker, kafka_max_batch_bytes=16_384)
    producer = KafkaProducer(settings, client_id="batches")
    await producer.start()
    rng = random.Random(11)
    sent: list[OutMessage] = []
    try:
        for call in range(3):
            group = [
                OutMessage(
                    TOPIC,
                    f"thread-{rng.randrange(40)}".encode(),
                    f"{call}:{i}:".encode() + rng.randbytes(rng.randrange(200, 1500)),
                )
                for i in range(500)
            ]
            # one message larger than a whole batch: a batch of its own
            group.insert(250, OutMessage(TOPIC, b"thread-big", b"B" * 40_000))
            await producer.send_many(group)
            sent.extend(group)
        await producer.send_many([])  # nothing to send: returns at once
    finally:
        await producer.stop()

    got = await _read_all(broker, len(sent))
    assert sum(map(len, got.values())) == len(sent)  # nothing doubled
    for partition, records in got.items():
        for key, _ in records:
            assert (aiokafka_murmur2(key) & 0x7FFFFFFF) % PARTITIONS == partition, key
    read_by_key: dict[bytes, list[bytes]] = defaultdict(list)
    for records in got.values():
        for key, value in records:
            read_by_key[key].append(value)
    sent_by_key: dict[bytes, list[bytes]] = defaultdict(list)
    for m in sent:
        assert m.key is not None
        sent_by_key[m.key].append(m.value)
    assert read_by_key == sent_by_key  # every message, in the order sent per key


@pytest.mark.integration
async def test_a_message_over_the_request_limit_is_refused_before_anything_is_sent(
    broker: str,
) -> None:
    await provision_topics(broker, partitions=PARTITIONS, topics=[TOPIC])
    producer = KafkaProducer(CommonSettings(kafka_bootstrap_servers=broker), client_id="big")
    await producer.start()
    try:
        with pytest.raises(MessageSizeTooLargeError):
            await producer.send_many(
                [
                    OutMessage(TOPIC, b"k", b"first"),
                    OutMessage(TOPIC, b"k", b"x" * 2_200_000),
                ]
            )
        await producer.send_many([OutMessage(TOPIC, b"k", b"after")])
    finally:
        await producer.stop()
    got = await _read_all(broker, 1)

    assert [v for records in got.values() for _, v in records] == [b"after"]
