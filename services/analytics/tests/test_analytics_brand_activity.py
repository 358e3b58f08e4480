"""Brand activity in analytics: the brand's own posts are counted apart (once per post, never
in volume or sentiment), and a native reply the router matched is the case's first response."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_analytics import prom
from chorus_analytics.app import create_app
from chorus_analytics.settings import AnalyticsSettings
from chorus_common.contracts.events import Author, NativeReply, Post, PostReceived
from chorus_common.messaging.envelope import Envelope, make_event
from prometheus_client.parser import text_string_to_metric_families

from services.analytics.tests.analytics_kit import at, case_event, encode, post_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, producing, running
from tests.support.wait import wait_for

QUIET: dict[str, Any] = {"spike_check_seconds": 0, "metrics_refresh_seconds": 0}
RANGE = {"from": at(-60).isoformat(), "to": at(120).isoformat()}
H = auth("admin")
CASE = {
    "team": "support",
    "priority": "P2",
    "platform": "x",
    "channel": "@brand",
    "sla_due_at": at(61),
}


def brand_post(native: str, minutes: float) -> Envelope:
    post = Post(
        id=f"x:{native}",
        platform="x",
        channel="@brand",
        kind="reply",
        native_id=native,
        url=f"https://x.example/brand/status/{native}",
        thread_id="th-m1",
        in_reply_to="x:m1",
        author=Author(id="brand", handle="@brand"),
        text="So sorry, we are on it: check your DMs.",
        created_at=at(minutes),
        from_brand=True,
    )
    return make_event("post.received", PostReceived(post=post), producer="test")


def scenario() -> list[Envelope]:
    """A customer's mention, its case, the brand's native reply (twice: redelivered as a new
    event) and the router's case event for it (also twice)."""
    native = NativeReply(post_id="x:b1", created_at=at(3), first_response=True)
    reply = brand_post("b1", 3)
    updated = {**CASE, "status": "replied", "post_ids": ("x:m1",), "native_reply": native}
    return [
        post_event("m1", sentiment="negative", created=at(0)),
        case_event("case.opened", "c1", at(1), 1, post_ids=("x:m1",), opened_at=at(1), **CASE),
        reply,
        brand_post("b1", 3),
        case_event("case.updated", "c1", at(4), 2, opened_at=at(1), **updated),
        case_event("case.updated", "c1", at(5), 3, opened_at=at(1), **updated),
        brand_post("own", 10).model_copy(
            update={"payload": {**reply.payload, "post": {**reply.payload["post"], "id": "x:own"}}}
        ),
    ]


async def _metrics(app, client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    await prom.refresh(app.state.runtime, app.state.settings, app.state.collector)
    text = (await client.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for m in text_string_to_metric_families(text)
        for s in m.samples
    }


async def exercise(app, send) -> None:
    events = scenario()
    async with running(app) as client:
        await send(encode(events))

        async def summary():
            r = await client.get("/v1/reports/summary", params=RANGE, headers=H)
            body = r.json()
            done = body["brand_activity"]["brand_posts"] == 2 and body["posts_total"] == 1
            return body if done and body["brand_activity"]["native_replies"] == 1 else None

        body = await wait_for(summary, timeout=60, what="brand posts counted")
        brand = body["brand_activity"]
        assert brand["mentions"] == 1
        assert brand["by_platform"] == {"x": {"brand": 2, "others": 1}}
        assert brand["brand_per_mention"] == 2.0
        assert body["posts_total"] == 1, "the brand's posts are no mentions"
        assert body["sentiment"]["by_label"] == {"negative": 1}
        first = body["responsiveness"]["all"]
        assert first["cases"] == 1 and first["first_response_median"] == 180.0
        sla = body["responsiveness"]["sla"]["support"]
        assert (sla["met"], sla["breached"]) == (1, 0)
        assert body["replies_sent"] == 0, "replies sent through Chorus stay apart"
        m = await _metrics(app, client)
        key = "chorus_analytics_posts_by_origin_total"
        assert m[(key, (("origin", "brand"), ("platform", "x")))] == 2
        assert m[(key, (("origin", "others"), ("platform", "x")))] == 1


@pytest.mark.unit
async def test_brand_posts_are_counted_apart_and_a_native_reply_is_the_first_response(
    memory_broker, sqlite_url
) -> None:
    settings = AnalyticsSettings(database_url=sqlite_url, **FAST_KAFKA_ENV, **QUIET)
    await exercise(create_app(settings, bus=memory_broker), memory_broker.append)


@pytest.mark.integration
async def test_brand_activity_on_the_broker(broker, db_url) -> None:
    settings = AnalyticsSettings(
        database_url=db_url, kafka_bootstrap_servers=broker, **FAST_KAFKA_ENV, **QUIET
    )
    async with producing(settings) as producer:
        await exercise(create_app(settings), producer.send_many)
