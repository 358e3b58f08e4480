"""A known event sequence (duplicates, late and out-of-order events) gives exact figures in
every report, on the in-memory bus and on the real broker with SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from chorus_analytics import prom, prom_families
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.runtime import KafkaBus
from prometheus_client.parser import text_string_to_metric_families

from services.analytics.tests.analytics_kit import at, encode, scenario
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

COMMON_NAMES = {
    f"chorus_{n}"
    for n in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_count",
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_created",
        "http_requests_created",
        "events_consumed_total",
        "events_consumed_created",
        "handler_duration_seconds_bucket",
        "handler_duration_seconds_count",
        "handler_duration_seconds_sum",
        "handler_duration_seconds_created",
        "consumer_lag",
        "kafka_idempotent_producer",
        "outbox_pending",
        "events_produced_total",
        "events_produced_created",
        "dead_letters_total",
        "dead_letters_created",
        "handler_retries_total",
        "handler_retries_created",
        "http_rate_limited_total",
        "http_rate_limited_created",
    )
}
QUIET: dict[str, Any] = {
    "spike_check_seconds": 0,
    "metrics_refresh_seconds": 0,
    "metrics_member_series": True,
}
RANGE = {"from": at(-240).isoformat(), "to": at(120).isoformat(), "granularity": "hour"}
H = auth("admin")  # every team, and what belongs to none


async def _get(client, path: str, **params):
    r = await client.get(f"/v1/reports/{path}", params={**RANGE, **params}, headers=H)
    assert r.status_code == 200, r.text
    return r.json()


async def check_volume_and_posts(client) -> None:
    vol = await _get(client, "volume")
    assert vol["total"] == 5, "5 distinct posts: duplicates, the edit and the replay count once"
    assert vol["totals"]["platform"] == {"x": 3, "facebook": 1, "instagram": 1}
    assert vol["totals"]["team"] == {"support": 2, "legal": 1, "": 2}
    assert vol["totals"]["sentiment"] == {"negative": 2, "positive": 2, "neutral": 1}
    assert vol["totals"]["lang"] == {"en": 4, "fr": 1}
    assert vol["totals"]["kind"] == {"mention": 2, "comment": 1, "post": 1, "review": 1}
    series = {r["bucket"]: r["posts"] for r in vol["rows"]}
    assert series[at(-180).isoformat().replace("+00:00", "Z")] == 1, "late post in its own hour"
    assert series[at(0).isoformat().replace("+00:00", "Z")] == 3
    assert series[at(60).isoformat().replace("+00:00", "Z")] == 1
    assert sum(series.values()) == 5
    by_channel = await _get(client, "volume", group_by="channel", platform="x")
    assert sorted((r["channel"], r["posts"]) for r in by_channel["rows"]) == [
        ("@brand", 1),
        ("@brand", 2),
    ]
    minute = await _get(client, "volume", granularity="minute", team="support")
    assert minute["total"] == 2
    assert {r["bucket"] for r in minute["rows"] if r["posts"]} == {
        at(5).isoformat().replace("+00:00", "Z"),
        at(65).isoformat().replace("+00:00", "Z"),
    }

    eng = await _get(client, "engagement")
    assert eng["totals"]["mention"] == {
        "posts": 2,
        "likes": 21,
        "shares": 2,
        "replies": 1,
        "views": 100,
    }
    assert eng["totals"]["post"]["likes"] == 100 and eng["totals"]["post"]["views"] == 5000
    assert eng["authors"] == {"authors": 4, "reach": 1200 + 50 + 10000 + 0}

    sent = await _get(client, "sentiment")
    assert sent["channels"]["@brand"]["negative"] == 2
    assert sent["channels"]["@brand"]["net"] == pytest.approx((1 - 2) / 3, abs=1e-4)
    assert sent["net"] == 0.0
    trend = {r["bucket"]: r for r in sent["rows"]}
    ten = trend[at(0).isoformat().replace("+00:00", "Z")]
    assert (ten["positive"], ten["neutral"], ten["negative"]) == (2, 0, 1)
    assert ten["net"] == pytest.approx(1 / 3, abs=1e-4)
    assert trend[at(-180).isoformat().replace("+00:00", "Z")]["negative"] == 1
    eng_rows = [r for r in eng["rows"] if r["kind"] == "mention"]
    assert [(r["bucket"], r["likes"]) for r in eng_rows] == [
        (at(0).isoformat().replace("+00:00", "Z"), 21)
    ]

    authors = await _get(client, "top-authors", limit=2)
    assert [(a["author_id"], a["posts"]) for a in authors["rows"]] == [("a1", 2), ("a2", 1)]
    assert authors["influencers"][0]["author_id"] == "brand"

    kw = await _get(client, "keywords")
    assert kw["keywords"] == [
        {"type": "keyword", "term": "livraison", "posts": 1, "negative": 0},
        {"type": "keyword", "term": "refund", "posts": 1, "negative": 1},
    ]
    assert kw["hashtags"] == [{"type": "hashtag", "term": "#refund", "posts": 1, "negative": 1}]


async def check_cases(client) -> None:
    resp = {r["team"]: r for r in (await _get(client, "responsiveness"))["rows"]}
    assert resp["support"]["cases"] == 2 and resp["legal"]["cases"] == 1
    assert resp["support"]["first_response_median"] == 230.0  # 10:09:00 - 10:05:10
    assert resp["support"]["resolution_median"] == 890.0  # 10:20:00 - 10:05:10
    assert resp["support"]["assignment_median"] == pytest.approx((10 + 5) / 2)
    assert resp["legal"]["first_response_median"] == 2335.0  # 10:45:00 - 10:06:05
    assert resp["all"]["first_response_p90"] == pytest.approx(230 + 0.9 * (2335 - 230))
    by_prio = {
        r["priority"]: r
        for r in (await _get(client, "responsiveness", group_by="priority"))["rows"]
    }
    assert set(by_prio) == {"P1", "P2", "P3", "all"}

    sla = {r["team"]: r for r in (await _get(client, "sla"))["rows"]}
    assert (sla["support"]["met"], sla["support"]["breached"]) == (1, 0)
    assert (sla["legal"]["met"], sla["legal"]["breached"]) == (0, 1)
    assert sla["all"]["compliance_rate"] == 0.5

    work = await _get(client, "workload")
    rows = {(r["team"], r["member"]): (r["open"], r["handled"]) for r in work["rows"]}
    assert rows == {
        ("support", "m1"): (1, 1),
        ("support", "m2"): (0, 0),
        ("legal", "m4"): (1, 1),
        ("pr", "m3"): (0, 0),
    }
    assert work["teams"]["support"]["open"]["gini"] == 0.5
    assert work["teams"]["support"]["open"]["busiest_share"] == 1.0
    assert work["teams"]["support"]["open"]["busiest_member"] == "m1"

    rep = await _get(client, "replies")
    assert rep["teams"]["support"]["sent"] == 1 and rep["teams"]["legal"]["failed"] == 1
    assert rep["teams"]["legal"]["send_success_rate"] == 0.5
    assert rep["approval_turnaround"]["median"] == 120.0
    assert rep["failures_by_code"] == {"rate_limited": 1}
    ten = next(r for r in rep["rows"] if r["bucket"] == at(0).isoformat().replace("+00:00", "Z"))
    assert (ten["drafted"], ten["approved"], ten["sent"], ten["failed"]) == (1, 1, 2, 1)


async def check_summary_and_formats(client) -> None:
    r = await client.get("/v1/reports/summary", headers=H)
    s = r.json()
    assert s["posts_total"] == 5
    assert s["cases_open_by_team"] == {"legal": 1, "support": 1}
    assert (s["replies_sent"], s["replies_failed"]) == (2, 1)
    assert s["dead_letters_total"] == 1
    assert s["alerts"]["dead_letters"] == {"analytics:chorus.posts.v1|invalid_json": 1}
    assert s["alerts"]["by_type"] == {"alert.sla": {"raised:other": 1}}
    assert s["cases"]["opened"] == 3 and s["cases"]["sla_breaches"] == 1
    assert s["responsiveness"]["by_team"]["support"]["first_response_median"] == 230.0
    assert s["fairness"]["support"]["open_gini"] == 0.5

    r = await client.get("/v1/reports/volume", params={**RANGE, "format": "csv"}, headers=H)
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sum(int(x["posts"]) for x in rows) == 5
    r = await client.get("/v1/reports/workload", params=RANGE, headers={**H, "Accept": "text/csv"})
    assert r.text.splitlines()[0] == "team,member,open,handled"

    r = await client.get(
        "/v1/reports/digest", params={"date": "2026-03-10", "format": "markdown"}, headers=H
    )
    assert r.headers["content-type"].startswith("text/markdown")
    assert "## @brand (x)" in r.text and "refund (1)" in r.text
    d = (await client.get("/v1/reports/digest", params={"date": "2026-03-10"}, headers=H)).json()
    assert (
        d["channels"]["@brand"]["posts"] == 3 and d["channels"]["@brand"]["posts_day_before"] == 0
    )
    assert d["overall"]["replies_sent"] == 2

    assert (await client.get("/v1/reports/volume")).status_code == 401
    bad = await client.get(
        "/v1/reports/volume", params={"granularity": "minute", "since": "30d"}, headers=H
    )
    assert bad.status_code == 422 and bad.json()["field"] == "query.granularity"


async def check_metrics(app, client) -> None:
    await prom.refresh(app.state.runtime, app.state.settings, app.state.collector)
    text = (await client.get("/metrics")).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for m in text_string_to_metric_families(text)
        for s in m.samples
    }

    def v(name, **labels):
        return samples[(name, tuple(sorted(labels.items())))]

    assert (
        v("chorus_analytics_posts_total", platform="x", kind="mention", sentiment="negative") == 1
    )
    assert v("chorus_analytics_posts_by_channel_total", channel="@brand") == 3
    assert v("chorus_analytics_engagement_total", kind="mention", metric="likes") == 21
    assert v("chorus_analytics_cases_open", team="legal", priority="P1") == 1
    assert (
        v("chorus_analytics_case_events_total", type="case.opened", team="support", priority="P2")
        == 1
    )
    assert v("chorus_analytics_replies_total", team="legal", status="failed") == 1
    assert (
        v(
            "chorus_analytics_dead_letters_total",
            source="analytics:chorus.posts.v1",
            code="invalid_json",
        )
        == 1
    )
    assert v("chorus_analytics_workload_gini", team="support", state="open") == 0.5
    assert v("chorus_analytics_member_cases", team="support", member="m1", state="open") == 1
    assert v("chorus_analytics_buzz_active", kind="channel") == 0
    names = {n for n, _ in samples}
    assert names <= prom_families.exported_names() | COMMON_NAMES
    labels = {k for _, ls in samples for k, _ in ls}
    assert not labels & {"post_id", "author", "author_id", "handle"}, "unbounded labels"


async def exercise(app, send) -> None:
    items, good = scenario()
    async with running(app) as client:
        await send(encode(items))
        runtime = app.state.runtime
        await wait_for(lambda: _handled(runtime, good), timeout=60, what=f"{good} events consumed")
        await check_volume_and_posts(client)
        await check_cases(client)
        await check_summary_and_formats(client)
        await check_metrics(app, client)


async def _handled(runtime, n: int) -> bool:
    return sum(c.handled for c in runtime.consumers) >= n


@pytest.mark.unit
async def test_known_sequence_gives_exact_aggregates_on_memory_bus(
    memory_broker, sqlite_url
) -> None:
    app = create_app(
        AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET), bus=memory_broker
    )
    await exercise(app, memory_broker.append)


@pytest.mark.integration
async def test_known_sequence_gives_exact_aggregates_on_the_broker(broker, db_url) -> None:
    settings = AnalyticsSettings(
        database_url=db_url, kafka_bootstrap_servers=broker, **FAST_KAFKA_ENV, **QUIET
    )
    producer = KafkaBus(settings).producer()
    await producer.start()
    try:
        await exercise(create_app(settings), producer.send_many)
    finally:
        await producer.stop()
