"""The router on the real broker (Tansu) with SQLite and PostgreSQL: posts in, case events out."""

from __future__ import annotations

import uuid

import pytest
from chorus_common.messaging.bus.kafka import KafkaConsumer
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import KafkaBus
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_support import encode, make_post, post_event, reply_event
from tests.support.fixtures import FAST_KAFKA_ENV, auth, running
from tests.support.wait import wait_for

ADMIN = auth("admin")


@pytest.mark.integration
async def test_posts_on_the_broker_become_cases_and_case_events(broker, db_url) -> None:
    settings = RouterSettings(
        database_url=db_url,
        kafka_bootstrap_servers=broker,
        router_release_seconds=0.2,
        **FAST_KAFKA_ENV,
    )
    app = create_app(settings)
    producer = KafkaBus(settings).producer()
    await producer.start()
    watcher = KafkaConsumer(
        settings, group_id=f"t-{uuid.uuid4().hex}", topics=["chorus.cases.v1"], client_id="t"
    )
    await watcher.start()
    seen: list[Envelope] = []
    try:
        async with running(app) as client:
            posts = [
                make_post("Je vais porter plainte auprès de la DGCCRF", lang="fr"),
                make_post("Where is my refund?"),
                make_post("Loved it, thanks!"),
            ]
            events = [post_event(p) for p in posts]
            await producer.send_many(encode([*events, events[0]]))  # one redelivered

            async def three():
                r = await client.get("/v1/cases", headers=ADMIN)
                items = r.json()["items"]
                return {i["latest_post_id"]: i for i in items} if len(items) == 3 else None

            cases = await wait_for(three, timeout=40, what="three cases")
            assert {c["team"] for c in cases.values()} == {"legal", "support", "brand"}
            refund = cases[posts[1].id]
            await producer.send_many(encode([reply_event(refund["id"], "reply.sent")]))

            async def events_out():
                for rec in await watcher.getmany(200, 500):
                    seen.append(Envelope.from_bytes(rec.value))
                types = [e.type for e in seen]
                return types.count("case.assigned") == 3 and "case.updated" in types

            await wait_for(events_out, timeout=40, what="case events on chorus.cases.v1")
            assert [e.type for e in seen].count("case.opened") == 3, "no doubled case"
            updated = next(e for e in seen if e.type == "case.updated")
            assert updated.payload["status"] == "replied"
            r = await client.get("/metrics")
            assert 'chorus_post_to_assignment_seconds_count{service="router"} 3.0' in r.text
    finally:
        await watcher.stop()
        await producer.stop()
