"""`chorus lag` reads each Chorus group's committed offsets and the partitions' true ends.

Run on the broker of the run (Tansu under ``make test``, Apache Kafka under ``make
test-kafka``). The posts are sent in one call, so each partition's records share a record
batch: a lag computed from Tansu's end offsets (which count batches) would come out wrong.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from chorus_cli.consumer_lag import group_lags
from chorus_cli.main import main
from chorus_common.contracts.topics import POSTS
from chorus_common.messaging.bus.base import OutMessage
from chorus_common.messaging.bus.kafka import KafkaProducer
from chorus_common.messaging.bus.partition import KeyPartitioner
from chorus_common.settings import CommonSettings

pytestmark = pytest.mark.integration
PARTITIONS = 4


async def _send_posts(broker: str, n: int) -> Counter[int]:
    """Send ``n`` keyed posts in one call; the count per partition."""
    producer = KafkaProducer(CommonSettings(kafka_bootstrap_servers=broker), client_id="t")
    await producer.start()
    keys = [f"thread-{i}".encode() for i in range(n)]
    await producer.send_many([OutMessage(POSTS, k, b"{}") for k in keys])
    await producer.stop()
    pick = KeyPartitioner()
    parts = list(range(PARTITIONS))
    return Counter(pick(k, parts, parts) for k in keys)


async def _commit(broker: str, group: str, offsets: dict[int, int]) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=broker,
        group_id=group,
        enable_auto_commit=False,
        session_timeout_ms=6000,
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(POSTS, p) for p in offsets])  # commits without joining
        await consumer.commit(
            {TopicPartition(POSTS, p): OffsetAndMetadata(o, "") for p, o in offsets.items()}
        )
    finally:
        await consumer.stop()


async def test_lag_per_group_topic_and_partition_is_end_minus_committed(broker, capsys) -> None:
    per_partition = await _send_posts(broker, 60)
    assert len(per_partition) == PARTITIONS
    # The router has read 3 records of each partition; analytics everything of partition 0.
    await _commit(broker, "chorus-router-posts", {p: 3 for p in range(PARTITIONS)})
    await _commit(broker, "chorus-analytics-events", {0: per_partition[0]})

    lags = {(x.group, x.partition): x for x in await group_lags(broker) if x.topic == POSTS}
    for p in range(PARTITIONS):
        router = lags[("chorus-router-posts", p)]
        assert (router.service, router.committed, router.end) == ("router", 3, per_partition[p])
        assert router.lag == per_partition[p] - 3
    assert lags[("chorus-analytics-events", 0)].lag == 0
    assert lags[("chorus-analytics-events", 1)].committed is None
    assert lags[("chorus-analytics-events", 1)].lag == per_partition[1]

    assert await asyncio.to_thread(main, ["lag", "--bootstrap", broker, "--json"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    router_rows = [r for r in printed if r["group"] == "chorus-router-posts"]
    assert sum(r["lag"] for r in router_rows) == 60 - 3 * PARTITIONS
    assert {r["service"] for r in printed} == {"router", "analytics"}

    args = ["lag", "--bootstrap", broker, "--group", "chorus-router"]
    assert await asyncio.to_thread(main, args) == 0
    text = capsys.readouterr().out
    assert "chorus-analytics-events" not in text
    assert text.splitlines()[0].split() == [
        "service",
        "group",
        "topic",
        "partition",
        "committed",
        "end",
        "lag",
    ]
    assert text.splitlines()[-1] == f"total lag: {60 - 3 * PARTITIONS}"
