"""Crashes on the single-node Apache Kafka: SIGKILL (not SIGTERM) of one of two routers, and
of one of two analytics instances, in one consumer group on six partitions; a full restart
of the broker, its data kept on disk. Each ends with nothing lost and nothing doubled.

Each test prints its time to recover; docs/kafka.md has the figures. A SIGKILLed member
holds its partitions until its session times out (KAFKA_SESSION_TIMEOUT_MS, 6 s here).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from chorus_common.contracts.topics import ALL_TOPICS, POSTS

from tests.support.brokers import SESSION
from tests.support.flow import PostFlow
from tests.support.system import owns_partitions, system
from tests.support.wait import wait_for_sync
from tests.test_fault_tolerance import _analytics_posts_total, _wait_all_routed
from tests.test_scaleout_analytics import _consumed, _summary

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.timeout(600)]
PARTITIONS = 6


def _owned(url: str, topic: str) -> set[int]:
    """The partitions of ``topic`` a service's consumer owns (it exports their lag)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return {
        int(ln.split('partition="')[1].split('"')[0])
        for ln in text.splitlines()
        if ln.startswith("chorus_consumer_lag") and f'topic="{topic}"' in ln
    }


def _sqlite(tmp_path: Path, **pg: str) -> dict[str, str]:
    urls = {
        n: f"sqlite+aiosqlite:///{tmp_path}/{n}.db"
        for n in ("ingest", "router", "responder", "analytics")
    }
    return {**urls, **pg}


def test_sigkill_of_one_of_two_routers_moves_its_partitions_and_loses_nothing(
    tmp_path, pg_url
) -> None:
    urls = _sqlite(tmp_path, router=pg_url)  # one database for both routers
    with (
        system(
            tmp_path,
            names=("ingest", "router"),
            db="postgresql",
            pg_urls=urls,
            partitions=PARTITIONS,
        ) as sysm,
        sysm.client() as client,
    ):
        second = sysm.start("router", instance="router-2")
        wait_for_sync(
            lambda: owns_partitions(second.url, POSTS),
            timeout=60,
            what="router-2 owning partitions",
        )
        run = f"rk{uuid.uuid4().hex[:6]}"
        flow = PostFlow(client, sysm.url("ingest"), sysm.url("router"), run, PARTITIONS).start()
        try:
            wait_for_sync(
                lambda: (
                    _consumed(sysm.url("router"), POSTS) > 0 and _consumed(second.url, POSTS) > 0
                ),
                timeout=90,
                what="both routers routing a share of the posts",
            )
            touched = _owned(second.url, POSTS)
            fault_at = time.monotonic()
            second.kill()  # SIGKILL: no commit, no leaving the group
            recovered = flow.recovery(fault_at, touched)
            print(
                f"\nrecovery after SIGKILL of a router owning {sorted(touched)}: {recovered:.1f} s"
            )
            n = flow.stop()
            ids = _wait_all_routed(client, sysm.url("router"), run, n, timeout=300)
            assert len(ids) == n, "no post routed twice"
        finally:
            flow.close()


def test_sigkill_of_one_of_two_analytics_keeps_every_count_exact(tmp_path, pg_url) -> None:
    urls = _sqlite(tmp_path, analytics=pg_url)  # one database for both instances
    with (
        system(
            tmp_path,
            names=("ingest", "router", "analytics"),
            db="postgresql",
            pg_urls=urls,
            partitions=PARTITIONS,
        ) as sysm,
        sysm.client() as client,
    ):
        second = sysm.start("analytics", instance="analytics-2")
        first_url = sysm.url("analytics")
        wait_for_sync(
            lambda: owns_partitions(second.url, POSTS),
            timeout=60,
            what="analytics-2 owning partitions",
        )
        run = f"ak{uuid.uuid4().hex[:6]}"
        flow = PostFlow(client, sysm.url("ingest"), sysm.url("router"), run, PARTITIONS).start()
        try:
            wait_for_sync(
                lambda: _consumed(first_url, POSTS) > 0 and _consumed(second.url, POSTS) > 0,
                timeout=90,
                what="both analytics instances counting a share of the posts",
            )
            fault_at = time.monotonic()
            before = flow.sent
            second.kill()
            # Recovered once the survivor owns every partition and has counted all sent before.
            wait_for_sync(
                lambda: _owned(first_url, POSTS) == set(range(PARTITIONS)),
                timeout=120,
                what="the survivor owning every partition",
            )
            _analytics_posts_total(client, first_url, before)
            recovered = time.monotonic() - fault_at
            print(f"\nrecovery after SIGKILL of an analytics instance: {recovered:.1f} s")
            n = flow.stop()
            _wait_all_routed(client, sysm.url("router"), run, n, timeout=300)
            assert _analytics_posts_total(client, first_url, n, timeout=300) == n
            threads = len({flow.thread_of(i) for i in range(n)})
            wait_for_sync(
                lambda: _summary(client, first_url)["cases"]["opened"] == threads,
                timeout=120,
                what=f"analytics counting the {threads} opened cases",
            )
            assert _summary(client, first_url)["posts_total"] == n, "nothing counted twice"
        finally:
            flow.close()


def test_full_broker_restart_keeps_data_and_consumers_resume_from_committed_offsets(
    tmp_path,
) -> None:
    with (
        system(tmp_path, names=("ingest", "router", "analytics"), partitions=PARTITIONS) as sysm,
        sysm.client() as client,
    ):
        broker = SESSION.get(1)
        node = broker.nodes[0]
        run = f"br{uuid.uuid4().hex[:6]}"
        flow = PostFlow(client, sysm.url("ingest"), sysm.url("router"), run, PARTITIONS).start()
        try:
            flow.wait_flowing(cases=40)
            fault_at = time.monotonic()
            node.stop()  # the whole broker: every partition, the group coordinator, all offsets
            node.start()
            broker.wait_ready()
            broker.wait_leaders(ALL_TOPICS)
            recovered = flow.recovery(fault_at, set(range(PARTITIONS)))
            print(f"\nrecovery after a full restart of the broker: {recovered:.1f} s")
            n = flow.stop()
            ids = _wait_all_routed(client, sysm.url("router"), run, n, timeout=300)
            assert len(ids) == n, "no post routed twice"
            assert _analytics_posts_total(client, sysm.url("analytics"), n, timeout=300) == n
            # Resumed from the committed offsets, not from the start of each partition: at
            # most the last uncommitted batches came again.
            consumed = _consumed(sysm.url("router"), POSTS)
            assert n <= consumed <= n + 100, f"router read {consumed} posts for {n}"
        finally:
            flow.close()
