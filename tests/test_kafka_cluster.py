"""Apache Kafka's replication under Chorus: a three-node KRaft cluster (replication factor 3,
``min.insync.replicas=2``) loses the broker leading the posts partitions to SIGKILL mid-stream,
then every broker is restarted in turn while posts flow. Chorus carries on without anyone
acting: every post becomes exactly one case and analytics counts each once.

Each test prints its time to recover (from the fault to the next case assigned on every
partition the fault touched); docs/kafka.md has the figures.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from chorus_cli.kafka_server import KafkaCluster
from chorus_common.contracts.topics import ALL_TOPICS, POSTS

from tests.support.brokers import SESSION
from tests.support.flow import PostFlow
from tests.support.system import System, system
from tests.test_fault_tolerance import _analytics_posts_total, _wait_all_routed

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.timeout(600)]
PARTITIONS = 6
NAMES = ("ingest", "router", "analytics")


@pytest.fixture(scope="module")
def cluster() -> Iterator[KafkaCluster]:
    yield SESSION.get(3)
    SESSION.close(3)  # three JVMs are not kept for the tests after these


def _flow(sysm: System, client: httpx.Client, run: str) -> PostFlow:
    return PostFlow(client, sysm.url("ingest"), sysm.url("router"), run, PARTITIONS).start()


def _exactly_once(sysm: System, client: httpx.Client, flow: PostFlow, run: str) -> int:
    n = flow.stop()
    ids = _wait_all_routed(client, sysm.url("router"), run, n, timeout=300)
    assert len(ids) == n, "no post routed twice"
    assert _analytics_posts_total(client, sysm.url("analytics"), n, timeout=300) == n
    return n


def test_sigkill_of_the_posts_leader_elects_new_leaders_and_loses_nothing(
    tmp_path, cluster: KafkaCluster
) -> None:
    with (
        system(tmp_path, names=NAMES, partitions=PARTITIONS, kafka=cluster) as sysm,
        sysm.client() as client,
    ):
        cluster.wait_in_sync(ALL_TOPICS)
        run = f"lk{uuid.uuid4().hex[:6]}"
        flow = _flow(sysm, client, run)
        victim = None
        try:
            flow.wait_flowing()
            leaders = asyncio.run(cluster.leaders(POSTS))
            victim, _ = Counter(leaders.values()).most_common(1)[0]
            touched = {p for p, node in leaders.items() if node == victim}
            fault_at = time.monotonic()
            cluster.node(victim).kill()
            recovered = flow.recovery(fault_at, touched)
            print(f"\nrecovery after SIGKILL of the leader of {sorted(touched)}: {recovered:.1f} s")
            assert all(node != victim for node in asyncio.run(cluster.leaders(POSTS)).values())
            n = _exactly_once(sysm, client, flow, run)
            print(f"{n} posts, each one case, each counted once")
        finally:
            flow.close()
            if victim is not None:
                cluster.node(victim).start()  # whole again for the next test
                cluster.wait_ready()
                cluster.wait_in_sync(ALL_TOPICS)


def test_rolling_restart_of_every_broker_while_posts_flow(tmp_path, cluster: KafkaCluster) -> None:
    with (
        system(tmp_path, names=NAMES, partitions=PARTITIONS, kafka=cluster) as sysm,
        sysm.client() as client,
    ):
        cluster.wait_in_sync(ALL_TOPICS)
        run = f"rr{uuid.uuid4().hex[:6]}"
        flow = _flow(sysm, client, run)
        try:
            flow.wait_flowing()
            times = []
            for node in cluster.nodes:
                leaders = asyncio.run(cluster.leaders(POSTS))
                touched = {p for p, n in leaders.items() if n == node.node_id} or set(leaders)
                fault_at = time.monotonic()
                node.stop()  # SIGTERM: a controlled shutdown hands its leaderships over
                node.start()
                cluster.wait_ready()
                times.append(flow.recovery(fault_at, touched))
                cluster.wait_in_sync(ALL_TOPICS)  # the next node goes once replicas caught up
            print(f"\nrecovery per broker restarted: {', '.join(f'{t:.1f} s' for t in times)}")
            n = _exactly_once(sysm, client, flow, run)
            print(f"{n} posts, each one case, each counted once")
        finally:
            flow.close()
