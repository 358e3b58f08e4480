"""The demo feed's deliveries verify and normalize through the real connectors, end to end."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
import uvicorn
from chorus_cli import demo_payloads
from chorus_cli.demo_feed import SCENARIOS, DemoFeed, run_demo_feed
from chorus_cli.embedded import free_port
from chorus_common.contracts.events import utcnow
from chorus_common.messaging.envelope import Envelope
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from chorus_platforms.kit.inbound import RawInput
from chorus_platforms.registry import CONNECTORS

from tests.support.fixtures import FAST_KAFKA_ENV, token
from tests.support.wait import wait_for


@pytest.mark.unit
def test_every_demo_delivery_is_signed_and_normalizes_without_errors() -> None:
    feed = DemoFeed(random.Random(7))
    kinds: Counter[str | tuple[str, str]] = Counter()
    langs: set[str] = set()
    for _ in range(300):
        d = feed.next()
        channel = next(c for c in demo_payloads.CHANNELS if c["platform"] == d.platform)
        raw = RawInput(
            d.body, d.headers["content-type"], d.headers, channel["external_id"], d.query
        )
        connector = CONNECTORS[d.platform]
        connector.verify(raw, demo_payloads.SECRETS[d.platform], utcnow())
        result = connector.normalize(raw)
        assert result.errors == [], (d.platform, result.errors)
        assert len(result.posts) == 1, d.platform
        post = result.posts[0]
        kinds[(d.platform, post.kind)] += 1
        if post.in_reply_to:
            kinds["replies"] += 1
    assert {k[0] for k in kinds if isinstance(k, tuple)} == set(demo_payloads.SECRETS)
    assert kinds["replies"] > 10, "some deliveries must continue existing threads"
    langs = {s.lang for s in SCENARIOS}
    assert langs == {"en", "fr"}
    assert {s.intent for s in SCENARIOS} == {"legal", "pr", "brand", "support", "spam"}


@pytest.mark.unit
async def test_run_demo_feed_creates_channels_and_posts_through_webhooks(
    memory_broker, sqlite_url
) -> None:
    port = free_port()
    settings = IngestSettings(database_url=sqlite_url, port=port, poller_enabled=False,
                              **FAST_KAFKA_ENV)  # fmt: skip
    app = create_app(settings, bus=memory_broker)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    try:
        await wait_for(lambda: asyncio.sleep(0, server.started), what="ingest listening")
        url = f"http://127.0.0.1:{port}"
        feed = asyncio.create_task(run_demo_feed(url, token("admin"), stop, rate_per_s=40))

        async def posts():
            return len(memory_broker.records("chorus.posts.v1")) >= 12

        await wait_for(posts, timeout=30, what="demo posts published")
        stop.set()
        await asyncio.wait_for(feed, timeout=10)
        # A second run finds its channels already there and still delivers.
        stop2 = asyncio.Event()
        again = asyncio.create_task(run_demo_feed(url, token("admin"), stop2, rate_per_s=40))
        before = len(memory_broker.records("chorus.posts.v1"))

        async def more():
            return len(memory_broker.records("chorus.posts.v1")) > before + 3

        await wait_for(more, timeout=30, what="posts from the second run")
        stop2.set()
        await asyncio.wait_for(again, timeout=10)
    finally:
        stop.set()
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=15)
    platforms = {
        Envelope.from_bytes(r.value).payload["post"]["platform"]
        for r in memory_broker.records("chorus.posts.v1")
    }
    assert len(platforms) >= 3
    assert memory_broker.records("chorus.dlq.v1") == []
