"""The bare transport, same broker, same run: aiokafka produce → consume of same-size messages."""

from __future__ import annotations

import asyncio
import os
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def raw_transport(bootstrap: str, n: int, size: int, partitions: int = 4) -> dict[str, float]:
    """Produce n messages of ``size`` bytes (acks=all, linger 5 ms) while one consumer reads them."""
    topic = f"bench.raw.{os.getpid()}.{size}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, num_partitions=partitions, replication_factor=1)]
        )
    finally:
        await admin.close()
    payload = os.urandom(size // 2).hex().encode()[:size]
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{topic}.g",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    # Wait for the group join so the measurement covers transport, not the join.
    while not consumer.assignment():
        await asyncio.sleep(0.05)
    got = 0
    done = asyncio.Event()

    async def consume() -> None:
        nonlocal got
        while got < n:
            batch = await consumer.getmany(timeout_ms=200, max_records=2000)
            for msgs in batch.values():
                got += len(msgs)
            if batch:
                await consumer.commit()
        done.set()

    started = time.perf_counter()
    reader = asyncio.create_task(consume())
    futures = []
    for i in range(n):
        futures.append(await producer.send(topic, payload, key=str(i % 997).encode()))
    await asyncio.gather(*futures)
    produced_at = time.perf_counter()
    await asyncio.wait_for(done.wait(), 120)
    ended = time.perf_counter()
    await reader
    await producer.stop()
    await consumer.stop()
    # Tansu keeps every message in memory with no retention: without this, the baseline's
    # messages would stay in the broker under test for the whole run.
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    return {
        "messages": n,
        "bytes": size,
        "produce_per_s": round(n / (produced_at - started)),
        "produce_consume_per_s": round(n / (ended - started)),
    }
