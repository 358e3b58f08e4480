"""Apache Kafka 4 in KRaft mode, started with the machine's java (tests, bench).

One node, or a cluster of three, each node both broker and controller (the three form the
controller quorum), each on free ports of 127.0.0.1 in a directory of its own with its data
on disk, so a node can be killed, stopped and started again with what it had. A cluster of
three replicates internal topics three times with ``min.insync.replicas=2``. The jars come
from Maven Central (chorus_cli.kafka_jars). Readiness is waited on by condition: every
live node registered and unfenced, every partition led.
"""

from __future__ import annotations

import asyncio
import base64
import signal
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from chorus_cli.embedded import free_port
from chorus_cli.kafka_jars import kafka_libs
from chorus_cli.kafka_node import DEFAULT_JVM_OPTS, LOG4J, KafkaNode


def new_cluster_id() -> str:
    """A KRaft cluster id (Kafka's Uuid string: 16 random bytes, base64url, no padding)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):  # Kafka's own ids never start with '-'
            return text


@dataclass
class KafkaCluster:
    """The nodes of one cluster; ``bootstrap`` names every node, as clients are given."""

    root: Path
    nodes: list[KafkaNode]
    cluster_id: str
    replication: int = field(init=False)

    def __post_init__(self) -> None:
        self.replication = min(3, len(self.nodes))

    @property
    def bootstrap(self) -> str:
        return ",".join(n.address for n in self.nodes)

    def node(self, node_id: int) -> KafkaNode:
        return next(n for n in self.nodes if n.node_id == node_id)

    def live(self) -> list[KafkaNode]:
        return [n for n in self.nodes if n.alive()]

    def stop(self) -> None:
        """Stop every node (SIGTERM together, then wait for each)."""
        for n in self.nodes:
            n.send_signal(signal.SIGTERM)
        for n in self.nodes:
            n.stop(timeout_s=60)

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Wait until every live node is a registered, unfenced broker."""
        want = {n.node_id for n in self.live()}
        asyncio.run(_until(self, lambda md: set(_broker_ids(md)) >= want, timeout_s, "brokers"))

    def wait_leaders(self, topics: Iterable[str], timeout_s: float = 120.0) -> None:
        """Wait until every partition of ``topics`` is led by a live node."""
        asyncio.run(self.await_partitions(topics, _led_by(self), timeout_s, "leaders"))

    def wait_in_sync(self, topics: Iterable[str], timeout_s: float = 120.0) -> None:
        """Wait until every replica of every partition of ``topics`` is in sync again."""

        def in_sync(p: dict[str, Any]) -> bool:
            return bool(_led_by(self)(p)) and set(p["isr"]) == set(p["replicas"])

        asyncio.run(self.await_partitions(topics, in_sync, timeout_s, "replicas in sync"))

    async def await_partitions(
        self,
        topics: Iterable[str],
        ok: Callable[[dict[str, Any]], bool],
        timeout_s: float,
        what: str,
    ) -> None:
        names = list(topics)

        async def check(admin: AIOKafkaAdminClient) -> bool:
            described = await admin.describe_topics(names)
            return len(described) == len(names) and all(
                not t["error_code"] and t["partitions"] and all(ok(p) for p in t["partitions"])
                for t in described
            )

        await _poll(self, check, timeout_s, f"{what} of {names}")

    async def leaders(self, topic: str) -> dict[int, int]:
        """Partition → leader node id, as the cluster sees it now."""
        admin = await _admin(self)
        try:
            (described,) = await admin.describe_topics([topic])
            return {int(p["partition"]): int(p["leader"]) for p in described["partitions"]}
        finally:
            await admin.close()


def _broker_ids(metadata: dict[str, Any]) -> list[int]:
    return [int(b["node_id"]) for b in metadata["brokers"]]


def _led_by(cluster: KafkaCluster) -> Callable[[dict[str, Any]], bool]:
    live = {n.node_id for n in cluster.live()}
    return lambda p: not p["error_code"] and int(p["leader"]) in live


async def _admin(cluster: KafkaCluster) -> AIOKafkaAdminClient:
    live = ",".join(n.address for n in cluster.live()) or cluster.bootstrap
    admin = AIOKafkaAdminClient(bootstrap_servers=live, request_timeout_ms=10000)
    try:
        await admin.start()
    except BaseException:
        await admin.close()
        raise
    return admin


async def _poll(
    cluster: KafkaCluster,
    check: Callable[[AIOKafkaAdminClient], Awaitable[bool]],
    timeout_s: float,
    what: str,
) -> None:
    deadline = time.monotonic() + timeout_s
    last: str = "no answer"
    while time.monotonic() < deadline:
        try:
            admin = await _admin(cluster)
            try:
                if await check(admin):
                    return
                last = "not yet"
            finally:
                await admin.close()
        except Exception as exc:  # a node starting or gone: ask again
            last = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(0.2)
    tails = "\n".join(f"--- node {n.node_id}\n{n.tail(1500)}" for n in cluster.nodes)
    raise TimeoutError(f"Kafka: no {what} after {timeout_s}s ({last})\n{tails}")


async def _until(
    cluster: KafkaCluster, ok: Callable[[dict[str, Any]], bool], timeout_s: float, what: str
) -> None:
    async def check(admin: AIOKafkaAdminClient) -> bool:
        return ok(await admin.describe_cluster())

    await _poll(cluster, check, timeout_s, what)


def _properties(node: KafkaNode, voters: str, size: int) -> str:
    replication = min(3, size)
    settings = {
        "process.roles": "broker,controller",
        "node.id": node.node_id,
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{node.address},CONTROLLER://127.0.0.1:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{node.address}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": node.home / "data",
        "num.partitions": 4,
        "default.replication.factor": replication,
        "min.insync.replicas": min(2, replication),
        "offsets.topic.replication.factor": replication,
        "offsets.topic.num.partitions": 6,
        "transaction.state.log.replication.factor": replication,
        "transaction.state.log.min.isr": min(2, replication),
        "transaction.state.log.num.partitions": 6,
        # Consumer groups form at once instead of waiting 3 s for more members.
        "group.initial.rebalance.delay.ms": 0,
    }
    return "".join(f"{k}={v}\n" for k, v in settings.items())


def start_kafka(
    root: Path,
    nodes: int = 1,
    *,
    jvm_opts: tuple[str, ...] = DEFAULT_JVM_OPTS,
    timeout_s: float = 180.0,
) -> KafkaCluster:
    """Format and start ``nodes`` KRaft nodes under ``root``; returns once all are brokers."""
    libs = kafka_libs()
    root.mkdir(parents=True, exist_ok=True)
    members = [
        KafkaNode(i, free_port(), free_port(), root / f"node-{i}", libs, jvm_opts)
        for i in range(1, nodes + 1)
    ]
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in members)
    cluster = KafkaCluster(root, members, new_cluster_id())
    formats = []
    for n in members:
        n.home.mkdir(parents=True, exist_ok=True)
        n.config.write_text(_properties(n, voters, nodes))
        (n.home / "log4j2.properties").write_text(LOG4J)
        formats.append(
            subprocess.Popen(
                n.command(
                    "kafka.tools.StorageTool",
                    "format",
                    "--cluster-id",
                    cluster.cluster_id,
                    "--config",
                    str(n.config),
                    "--ignore-formatted",
                ),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
    for n, fmt in zip(members, formats, strict=True):
        out, _ = fmt.communicate(timeout=timeout_s)
        if fmt.returncode != 0:
            raise RuntimeError(f"formatting Kafka node {n.node_id} failed:\n{out.decode()[-3000:]}")
    try:
        for n in members:
            n.spawn()
        for n in members:
            n.wait_listening()
        cluster.wait_ready(timeout_s)
    except BaseException:
        cluster.stop()
        raise
    return cluster
