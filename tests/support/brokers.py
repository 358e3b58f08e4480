"""The broker the broker-facing tests run on: the embedded Tansu broker (``make test``) or
Apache Kafka 4 from Maven Central (``make test-kafka``, ``CHORUS_TEST_BROKER=kafka``).

Tansu starts in milliseconds, so every test gets its own. A JVM takes seconds, so Apache
Kafka starts once per test session (the three-node cluster once too, for the tests that ask
for it) and each test gets it reset: every consumer group and topic deleted, the Chorus
topics provisioned again, every partition led, all waited on by condition.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import DeleteGroupsRequest
from chorus_cli.embedded import free_port, start_broker, stop_process
from chorus_cli.kafka_server import KafkaCluster, start_kafka
from chorus_cli.provisioning import provision_topics
from chorus_common.contracts.topics import ALL_TOPICS

BROKERS = ("tansu", "kafka")
_GROUP_GONE = (0, 69)  # no error; GROUP_ID_NOT_FOUND
_NON_EMPTY_GROUP = 68


def broker_kind() -> str:
    """``tansu`` (the default) or ``kafka``, from ``CHORUS_TEST_BROKER``."""
    kind = os.environ.get("CHORUS_TEST_BROKER", "tansu").strip().lower() or "tansu"
    if kind not in BROKERS:
        raise RuntimeError(f"CHORUS_TEST_BROKER={kind!r}: expected one of {BROKERS}")
    return kind


def on_kafka() -> bool:
    return broker_kind() == "kafka"


class KafkaSession:
    """Apache Kafka nodes started at most once per test session, stopped at its end."""

    def __init__(self) -> None:
        self._clusters: dict[int, KafkaCluster] = {}

    def get(self, nodes: int = 1) -> KafkaCluster:
        cluster = self._clusters.get(nodes)
        if cluster is None or not cluster.live():
            root = Path(tempfile.mkdtemp(prefix=f"chorus-kafka{nodes}-"))
            cluster = self._clusters[nodes] = start_kafka(root, nodes)
        return cluster

    def close(self, nodes: int | None = None) -> None:
        """Stop the cluster of ``nodes`` nodes, or every cluster started."""
        for size in [nodes] if nodes is not None else list(self._clusters):
            cluster = self._clusters.pop(size, None)
            if cluster is not None:
                cluster.stop()
                shutil.rmtree(cluster.root, ignore_errors=True)


SESSION = KafkaSession()


async def reset_kafka(cluster: KafkaCluster, *, timeout_s: float = 60.0) -> None:
    """Delete every consumer group (once empty) and every topic of ``cluster``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout_s
        # A SIGKILLed member stays in its group until its session times out.
        while groups := [g for g, *_ in await admin.list_consumer_groups()]:
            busy = []
            for group in groups:
                coordinator = await admin.find_coordinator(group)
                response = await admin._send_request(DeleteGroupsRequest([group]), coordinator)
                for name, code in response.results:
                    if code == _NON_EMPTY_GROUP:
                        busy.append(name)
                    elif code not in _GROUP_GONE:
                        raise RuntimeError(f"deleting consumer group {name}: error {code}")
            if not busy:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer groups still have members: {busy}")
            await asyncio.sleep(0.2)
        topics = [t for t in await admin.list_topics() if not t.startswith("__")]
        if topics:
            await admin.delete_topics(topics)
        while set(topics) & set(await admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not deleted: {topics}")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


@contextmanager
def chorus_broker(
    log_dir: Path, *, partitions: int = 4, kafka: KafkaCluster | None = None
) -> Iterator[str]:
    """A broker with the Chorus topics provisioned (nothing else on it); yields the bootstrap.

    ``kafka`` names a cluster to use (the three-node one); otherwise the broker is the one
    ``CHORUS_TEST_BROKER`` chooses."""
    if kafka is None and not on_kafka():
        port = free_port()
        proc = start_broker(port, log_dir / "tansu.log")
        bootstrap = f"127.0.0.1:{port}"
        try:
            asyncio.run(provision_topics(bootstrap, partitions=partitions))
            yield bootstrap
        finally:
            stop_process(proc)
        return
    cluster = kafka or SESSION.get(1)
    asyncio.run(reset_kafka(cluster))
    asyncio.run(
        provision_topics(
            cluster.bootstrap, partitions=partitions, replication_factor=cluster.replication
        )
    )
    cluster.wait_leaders(ALL_TOPICS)
    yield cluster.bootstrap
