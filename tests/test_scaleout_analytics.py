"""Scale-out of analytics: two instances in one consumer group on 6 partitions share the
work (the range assignor gives partition p of posts and of cases to the same instance, so a
conversation's facts have one writer); stopping one (SIGTERM) mid-stream hands its
partitions to the other with every post counted exactly once.

This checks the orderly hand-over (SIGTERM: the in-flight batch is finished and committed on
revocation). Two *live* writers of the same events (a zombie past its session timeout) are
not staged here, since it needs a stalled process; the claim-first event ids that make
that exact are tested in services/analytics/tests/test_analytics_two_writers.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from chorus_cli.embedded import free_port

from tests.support.system import owns_partitions, system
from tests.support.wait import wait_for_sync
from tests.test_e2e_pipeline import _post
from tests.test_fault_tolerance import _analytics_posts_total, _send

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]


def _consumed(url: str, topic: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(
        float(ln.split()[-1])
        for ln in text.splitlines()
        if ln.startswith("chorus_events_consumed_total") and f'topic="{topic}"' in ln
    )


def _summary(client: httpx.Client, url: str) -> dict[str, Any]:
    r = client.get(f"{url}/v1/reports/summary")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_two_analytics_share_partitions_and_count_exactly_when_one_stops(tmp_path, pg_url) -> None:
    urls = {
        "ingest": f"sqlite+aiosqlite:///{tmp_path}/ingest.db",
        "router": f"sqlite+aiosqlite:///{tmp_path}/router.db",
        "responder": f"sqlite+aiosqlite:///{tmp_path}/responder.db",
        "analytics": pg_url,  # one database for both instances
    }
    with (
        system(tmp_path, names=(), db="postgresql", pg_urls=urls, partitions=6) as sysm,
        sysm.client() as client,
    ):
        # Free ports: `System.start` without ``instance`` uses 8001-8004, which may be taken
        # by a running system (and would then answer instead of ours).
        for name in ("ingest", "router", "analytics"):
            sysm.start(name, port=free_port())
        second = sysm.start("analytics", instance="analytics-2")
        first_url = sysm.url("analytics")
        run = f"sa{uuid.uuid4().hex[:6]}"
        threads, n = 60, 300

        def posts(lo: int, hi: int) -> list[dict[str, object]]:
            return [_post(run, i, thread=f"{run}-t{i % threads}") for i in range(lo, hi)]

        # Send only once the second instance holds partitions: before that, the first one
        # could read the whole first batch alone.
        wait_for_sync(
            lambda: owns_partitions(second.url, "chorus.posts.v1"),
            timeout=60,
            what="the second analytics instance owning partitions of the posts topic",
        )
        _send(client, sysm.url("ingest"), posts(0, 120))
        wait_for_sync(
            lambda: (
                _consumed(first_url, "chorus.posts.v1") > 0
                and _consumed(second.url, "chorus.posts.v1") > 0
            ),
            timeout=90,
            what="both analytics instances consuming a share of the posts",
        )
        shares = (
            _consumed(first_url, "chorus.posts.v1"),
            _consumed(second.url, "chorus.posts.v1"),
        )
        _send(client, sysm.url("ingest"), posts(120, 180))
        second.stop()  # SIGTERM while posts are flowing: finish, commit, leave the group
        _send(client, sysm.url("ingest"), posts(180, n))

        assert _analytics_posts_total(client, first_url, n) == n
        # Case events come after their posts on the same partition: once every case is
        # counted, anything the survivor re-read after the hand-over has been applied too.
        wait_for_sync(
            lambda: _summary(client, first_url)["cases"]["opened"] == threads,
            timeout=120,
            what=f"analytics counting the {threads} opened cases",
        )
        summary = _summary(client, first_url)
        assert summary["posts_total"] == n, f"nothing lost or doubled (shares before: {shares})"
        assert summary["cases"]["opened"] == threads
        assert sum(summary["cases_open_by_team"].values()) == threads
