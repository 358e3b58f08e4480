"""Real broker, both databases: dedup survives a restart, DLQ copies, outbox drains after commit."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import orjson
import pytest
from chorus_common.messaging.bus.kafka import KafkaConsumer
from chorus_common.messaging.envelope import Envelope
from chorus_ingest import models
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from sqlalchemy import func, select

from services.ingest.tests.ingest_helpers import generic_post, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for


async def _collect(settings: IngestSettings, topic: str, expected: int) -> list[Envelope]:
    consumer = KafkaConsumer(
        settings, group_id=f"t-{uuid.uuid4().hex[:8]}", topics=[topic], client_id="test"
    )
    await consumer.start()
    got: list[Envelope] = []
    try:

        async def enough():
            got.extend(Envelope.from_bytes(r.value) for r in await consumer.getmany(200, 500))
            return len(got) >= expected

        await wait_for(enough, timeout=40, what=f"{expected} records on {topic}")
        # Anything more (a doubled publish) would arrive in the same fetches; read once more.
        got.extend(Envelope.from_bytes(r.value) for r in await consumer.getmany(500, 500))
    finally:
        await consumer.stop()
    return got


@pytest.mark.integration
async def test_dedup_is_durable_across_restart_and_bad_items_reach_the_dlq(broker, db_url) -> None:
    settings = IngestSettings(database_url=db_url, kafka_bootstrap_servers=broker, **settings_kw())
    bad = {"id": "bad-1", "channel": "crm", "text": "no author"}
    async with running(create_app(settings)) as client:
        r = await client.post(
            "/v1/posts",
            json=[generic_post("d1"), generic_post("d2"), bad],
            headers=auth("service"),
        )
        assert [x["status"] for x in r.json()["results"]] == ["accepted", "accepted", "rejected"]
    app = create_app(settings)
    async with running(app) as client:
        r = await client.post(
            "/v1/posts",
            json=[generic_post("d1"), generic_post("d2", text="changed my mind")],
            headers=auth("service"),
        )
        assert [x["status"] for x in r.json()["results"]] == ["duplicate", "updated"]
        posts = await _collect(settings, "chorus.posts.v1", 3)
        dead = await _collect(settings, "chorus.dlq.v1", 1)
        runtime = app.state.runtime

        async def outbox_empty():
            async with runtime.sessionmaker() as session:
                n = await session.execute(select(func.count()).select_from(models.outbox))
                return n.scalar() == 0

        await wait_for(outbox_empty, what="the outbox drained after commit")
    ids = Counter((e.payload["post"]["id"], e.payload["revision"]) for e in posts)
    assert ids == {("generic:d1", 1): 1, ("generic:d2", 1): 1, ("generic:d2", 2): 1}
    assert len(dead) == 1
    letter = dead[0].parsed()
    assert letter.error_code == "invalid_field"
    assert orjson.loads(letter.original()) == bad


@pytest.mark.integration
async def test_concurrent_requests_with_the_same_new_post_publish_it_once(
    memory_broker, db_url
) -> None:
    app = create_app(IngestSettings(database_url=db_url, **settings_kw()), bus=memory_broker)
    async with running(app) as client:
        batch = [generic_post(f"race-{i}") for i in range(50)]
        responses = await asyncio.gather(
            *(client.post("/v1/posts", json=batch, headers=auth("service")) for _ in range(4))
        )
        assert all(r.status_code == 200 for r in responses)
        assert sum(r.json()["accepted"] for r in responses) == 50
        assert sum(r.json()["duplicate"] for r in responses) == 150

        async def fifty():
            return len(memory_broker.records("chorus.posts.v1")) == 50

        await wait_for(fifty, what="each raced post published once")
