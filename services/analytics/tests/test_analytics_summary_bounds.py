"""The summary's work is bounded by the data there is, whatever range is asked for."""

from __future__ import annotations

import time
import tracemalloc
from datetime import timedelta
from typing import Any

import pytest
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings

from services.analytics.tests.analytics_kit import T0, encode, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit

QUIET: dict[str, Any] = {"spike_check_seconds": 0, "metrics_refresh_seconds": 0}
WIDEST = {"from": "0001-01-01T00:00:00Z", "to": "9999-12-31T00:00:00Z"}
H = auth("admin")  # posts not routed yet are counted for admins


async def _two_posts_months_apart(app, memory_broker) -> None:
    await memory_broker.append(
        encode([post_event("p1", created=T0), post_event("p2", created=T0 + timedelta(days=3))])
    )
    runtime = app.state.runtime
    await wait_for(lambda: _handled(runtime, 2), timeout=30, what="both posts counted by analytics")


async def _handled(runtime, n: int) -> bool:
    return sum(c.handled for c in runtime.consumers) >= n


async def test_widest_summary_range_is_narrowed_to_the_data_and_stays_cheap(
    memory_broker, sqlite_url
) -> None:
    app = create_app(
        AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET), bus=memory_broker
    )
    async with running(app) as client:
        await _two_posts_months_apart(app, memory_broker)
        tracemalloc.start()
        began = time.perf_counter()
        r = await client.get("/v1/reports/summary", params=WIDEST, headers=H)
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["posts_total"] == 2
        assert body["from"] == "2026-03-10T00:00:00Z", "starts on the first recorded day"
        # Budget: T0 is months before today, so hourly buckets would not fit; days do.
        assert elapsed < 5.0, f"summary took {elapsed:.1f}s"
        assert peak < 64 * 2**20, f"summary peaked at {peak / 2**20:.0f} MiB"


async def test_summary_spanning_more_days_than_the_bucket_limit_is_refused(
    memory_broker, sqlite_url
) -> None:
    settings = AnalyticsSettings(
        database_url=sqlite_url, report_max_buckets=100, **FAST_KAFKA_ENV, **QUIET
    )
    app = create_app(settings, bus=memory_broker)
    async with running(app) as client:
        await _two_posts_months_apart(app, memory_broker)
        r = await client.get("/v1/reports/summary", params=WIDEST, headers=H)
        assert r.status_code == 422, r.text
        assert "from" in r.text and "at most 100" in r.text
        recent = {
            "from": (T0 + timedelta(days=2)).isoformat(),
            "to": (T0 + timedelta(days=4)).isoformat(),
        }
        r = await client.get("/v1/reports/summary", params=recent, headers=H)
        assert r.status_code == 200, r.text
        assert r.json()["posts_total"] == 1, "only the second post is inside the asked range"


async def test_summary_of_an_empty_database_answers_at_once(memory_broker, sqlite_url) -> None:
    app = create_app(
        AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET), bus=memory_broker
    )
    async with running(app) as client:
        r = await client.get("/v1/reports/summary", params=WIDEST, headers=H)
        assert r.status_code == 200, r.text
        assert r.json()["posts_total"] == 0
