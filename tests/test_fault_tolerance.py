"""Faults, bounded in time: SIGKILL of ingest and analytics mid-stream, a database outage,
and scale-out — two routers and two analytics in one consumer group on 6 partitions.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from chorus_cli.embedded import free_port

from tests.support.system import owns_partitions, system
from tests.support.tcpproxy import TcpProxy
from tests.support.wait import wait_for_sync
from tests.test_e2e_pipeline import _post, all_cases

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]


def _send(client: httpx.Client, url: str, posts: list[dict[str, object]]) -> None:
    """Post a batch, retrying while the service is down (the client's at-least-once)."""

    def ok() -> bool:
        try:
            return client.post(f"{url}/v1/posts", json={"posts": posts}).status_code in (200, 202)
        except httpx.HTTPError:
            return False

    wait_for_sync(ok, timeout=60, interval=0.2, what="ingest accepting the batch")


def _post_ids_in_cases(client: httpx.Client, router_url: str, run: str) -> list[str]:
    return [
        p for c in all_cases(client, router_url) if run in c["thread_id"] for p in c["post_ids"]
    ]


def _wait_all_routed(
    client: httpx.Client, router_url: str, run: str, n: int, timeout: float = 120
) -> list[str]:
    """Wait until the ``n`` distinct posts of ``run`` are in cases; return every post id seen."""
    found: list[str] = []

    def probe() -> bool:
        found[:] = _post_ids_in_cases(client, router_url, run)
        return len(set(found)) == n

    wait_for_sync(probe, timeout=timeout, what=f"all {n} posts of {run} in cases")
    return found


def _analytics_posts_total(client: httpx.Client, url: str, n: int, timeout: float = 120) -> int:
    """Wait until analytics has counted ``n`` posts; return its figure (which must be exact)."""
    seen: list[int] = [0]

    def probe() -> bool:
        seen[0] = int(client.get(f"{url}/v1/reports/summary").json().get("posts_total", 0))
        return seen[0] >= n

    try:
        wait_for_sync(probe, timeout=timeout, interval=0.5, what=f"analytics counting {n} posts")
    except AssertionError as exc:
        raise AssertionError(f"{exc} (last posts_total={seen[0]})") from None
    return seen[0]


def test_ingest_killed_mid_stream_loses_nothing_and_doubles_nothing(tmp_path) -> None:
    with system(tmp_path, names=("ingest", "router", "analytics")) as sysm, sysm.client() as client:
        run = f"ik{uuid.uuid4().hex[:6]}"
        n, batch = 200, 20
        for start in range(0, n, batch):
            _send(client, sysm.url("ingest"), [_post(run, i) for i in range(start, start + batch)])
            if start == 80:
                sysm.services["ingest"].kill()
                sysm.start("ingest")
                # the client re-sends the batch it is unsure about: a duplicate, not a double
                _send(
                    client, sysm.url("ingest"), [_post(run, i) for i in range(start, start + batch)]
                )

        ids = _wait_all_routed(client, sysm.url("router"), run, n)
        assert len(ids) == n, "no post routed twice"

        assert _analytics_posts_total(client, sysm.url("analytics"), n) == n


def test_analytics_killed_mid_stream_keeps_exact_counts(tmp_path) -> None:
    with system(tmp_path, names=("ingest", "router", "analytics")) as sysm, sysm.client() as client:
        run = f"ak{uuid.uuid4().hex[:6]}"
        n, batch = 300, 50
        for start in range(0, n, batch):
            _send(client, sysm.url("ingest"), [_post(run, i) for i in range(start, start + batch)])
            if start == 100:
                sysm.services["analytics"].kill()
        sysm.start("analytics")

        assert _analytics_posts_total(client, sysm.url("analytics"), n) == n


def test_database_outage_of_a_few_seconds_causes_retries_not_loss(tmp_path, pg_url) -> None:
    """The router's PostgreSQL connection goes through a proxy we cut for ~4 s mid-stream."""
    proxy_port = free_port()
    pg = urlsplit(pg_url)
    assert pg.hostname and pg.port, pg_url
    proxy = TcpProxy(pg.hostname, pg.port, proxy_port).start()
    router_url = pg_url.replace(f"{pg.hostname}:{pg.port}", f"127.0.0.1:{proxy_port}")
    urls = {
        "ingest": f"sqlite+aiosqlite:///{tmp_path}/ingest.db",
        "router": router_url,
        "responder": f"sqlite+aiosqlite:///{tmp_path}/responder.db",
        "analytics": f"sqlite+aiosqlite:///{tmp_path}/analytics.db",
    }
    try:
        with (
            system(tmp_path, names=("ingest", "router"), db="postgresql", pg_urls=urls) as sysm,
            sysm.client() as client,
        ):
            run = f"db{uuid.uuid4().hex[:6]}"
            n = 120
            _send(client, sysm.url("ingest"), [_post(run, i) for i in range(40)])
            proxy.pause()
            _send(client, sysm.url("ingest"), [_post(run, i) for i in range(40, n)])

            def retried() -> bool:
                text = httpx.get(f"{sysm.url('router')}/metrics").text
                line = next(
                    (
                        ln
                        for ln in text.splitlines()
                        if ln.startswith("chorus_handler_retries_total")
                    ),
                    "",
                )
                return bool(line) and float(line.split()[-1]) >= 1

            wait_for_sync(retried, timeout=30, what="the router retrying during the outage")
            proxy.resume()
            ids = _wait_all_routed(client, sysm.url("router"), run, n)
            assert len(ids) == n
    finally:
        proxy.stop()


@pytest.mark.parametrize("signal", ["sigterm", "sigkill"])
def test_two_routers_share_partitions_and_survive_one_stopping(tmp_path, pg_url, signal) -> None:
    """6 partitions, two routers in one group on one PostgreSQL database; stop one mid-stream,
    gracefully (SIGTERM) or not at all (SIGKILL: its uncommitted batch is redelivered)."""
    urls = {
        "ingest": f"sqlite+aiosqlite:///{tmp_path}/ingest.db",
        "router": pg_url,
        "responder": f"sqlite+aiosqlite:///{tmp_path}/responder.db",
        "analytics": f"sqlite+aiosqlite:///{tmp_path}/analytics.db",
    }
    with (
        system(
            tmp_path, names=("ingest", "router"), db="postgresql", pg_urls=urls, partitions=6
        ) as sysm,
        sysm.client() as client,
    ):
        second = sysm.start("router", instance="router-2")
        # Send only once the second router holds partitions: before that, the first one
        # could route the whole first batch alone.
        wait_for_sync(
            lambda: owns_partitions(second.url, "chorus.posts.v1"),
            timeout=60,
            what="the second router owning partitions of the posts topic",
        )
        run = f"so{uuid.uuid4().hex[:6]}"
        threads = 60
        first_half = [_post(run, i, thread=f"{run}-t{i % threads}") for i in range(120)]
        _send(client, sysm.url("ingest"), first_half)

        def consumed(url: str) -> float:
            text = httpx.get(f"{url}/metrics").text
            return sum(
                float(ln.split()[-1])
                for ln in text.splitlines()
                if ln.startswith("chorus_events_consumed_total") and "chorus.posts.v1" in ln
            )

        wait_for_sync(
            lambda: consumed(sysm.url("router")) > 0 and consumed(second.url) > 0,
            timeout=90,
            what="both routers consuming a share of the partitions",
        )
        if signal == "sigkill":
            second.kill()  # no goodbye: the group notices at the session timeout
        else:
            second.stop()  # SIGTERM: finish and commit in-flight work, leave the group
        _send(
            client,
            sysm.url("ingest"),
            [_post(run, i, thread=f"{run}-t{i % threads}") for i in range(120, 240)],
        )
        ids = _wait_all_routed(client, sysm.url("router"), run, 240)
        assert len(ids) == 240, "nothing doubled"
        cases = [c for c in all_cases(client, sysm.url("router")) if run in c["thread_id"]]
        assert len(cases) == threads, "each conversation stayed one case across instances"
