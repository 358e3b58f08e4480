"""The spike check publishes alert.buzz (raised, then cleared) with evidence, exactly once."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from chorus_analytics import models, spikes_job
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.runtime import KafkaBus
from sqlalchemy import func, select

from services.analytics.tests.analytics_kit import at, encode, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

PB, ST = models.post_buckets, models.alert_state
QUIET: dict[str, Any] = {"spike_check_seconds": 0, "metrics_refresh_seconds": 0}


def surge_posts():
    base = [
        post_event(f"b{m}", sentiment="negative", created=at(m - 20, 30), author=f"u{m}")
        for m in range(20)
    ]
    surge = [
        post_event(
            f"s{i}", sentiment="negative", created=at(0, i), author=f"s{i}", keywords=("outage",)
        )
        for i in range(12)
    ]
    return base + surge


async def exercise(app, settings, send, alerts_on_topic=None):
    items = surge_posts()
    async with running(app) as client:
        runtime = app.state.runtime
        await send(encode(items))
        await wait_for(lambda: _handled(runtime, len(items)), what="posts consumed")

        watch = app.state.spike_watch
        raised = await spikes_job.check_spikes(runtime, settings, now=at(0, 30), watch=watch)
        assert watch.subjects == 2 and all(t["raised"] for t in watch.top)
        assert sorted(e.payload["subject"] for e in raised) == [
            "buzz:channel:@brand",
            "buzz:keyword:outage",
        ]
        ch = next(e.payload for e in raised if e.payload["channel"] == "@brand")
        assert ch["state"] == "raised" and ch["rate"] == 12.0
        assert ch["baseline"] == pytest.approx(1.0)
        assert ch["zscore"] >= settings.spike_z_raise
        assert len(ch["sample_post_ids"]) == 5 and all(
            p.startswith("x:s") for p in ch["sample_post_ids"]
        )
        assert "12/min" in ch["message"]
        assert await spikes_job.check_spikes(runtime, settings, now=at(0, 40)) == []

        cleared = await spikes_job.check_spikes(runtime, settings, now=at(3))
        assert sorted((e.payload["subject"], e.payload["state"]) for e in cleared) == [
            ("buzz:channel:@brand", "cleared"),
            ("buzz:keyword:outage", "cleared"),
        ]
        assert await spikes_job.check_spikes(runtime, settings, now=at(3, 30)) == []

        if alerts_on_topic is not None:
            states = await wait_for(alerts_on_topic, what="alerts relayed to the broker")
            assert sorted(states) == ["cleared", "cleared", "raised", "raised"]
        await wait_for(
            lambda: _handled(runtime, len(items) + 4), timeout=30, what="own alerts consumed"
        )
        s = (await client.get("/v1/reports/summary", headers=auth("admin"))).json()
        assert s["alerts"]["by_type"]["alert.buzz"] == {
            "raised:channel": 1,
            "raised:keyword": 1,
            "cleared:channel": 1,
            "cleared:keyword": 1,
        }
        assert s["alerts"]["buzz_active"] == [] and s["alerts"]["subjects_tracked"] == 2
        assert s["alerts"]["watch"]["subjects_watched"] == 2

        await spikes_job.prune(runtime, settings)  # the scenario is months old
        async with runtime.sessionmaker() as session:
            grains = dict(
                (
                    await session.execute(
                        select(PB.c.grain, func.sum(PB.c.posts)).group_by(PB.c.grain)
                    )
                ).all()
            )
            states = (await session.execute(select(func.count()).select_from(ST))).scalar()
        assert "m" not in grains and grains["h"] == grains["d"] == len(items)
        assert states == 0, "subjects cleared long ago are forgotten"


async def _handled(runtime, n: int) -> bool:
    return sum(c.handled for c in runtime.consumers) >= n


@pytest.mark.unit
async def test_surge_raises_then_clears_buzz_once_per_transition(memory_broker, sqlite_url):
    settings = AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET)

    async def on_topic():
        recs = memory_broker.records("chorus.alerts.v1")
        return len(recs) == 4 and [orjson.loads(r.value)["payload"]["state"] for r in recs]

    await exercise(
        create_app(settings, bus=memory_broker), settings, memory_broker.append, on_topic
    )


@pytest.mark.integration
async def test_buzz_alerts_round_trip_through_the_real_broker(broker, db_url):
    settings = AnalyticsSettings(
        database_url=db_url, kafka_bootstrap_servers=broker, **FAST_KAFKA_ENV, **QUIET
    )
    producer = KafkaBus(settings).producer()
    await producer.start()
    try:
        await exercise(create_app(settings), settings, producer.send_many)
    finally:
        await producer.stop()
