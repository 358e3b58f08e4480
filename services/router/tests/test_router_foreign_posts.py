"""A post another system writes to chorus.posts.v1 with only the fields docs/asyncapi.yaml
requires is routed like ingest's own: the defaults the schema gives are the ones applied."""

from __future__ import annotations

import orjson
import pytest
from chorus_common.contracts import topics
from chorus_common.messaging.bus.base import OutMessage
from chorus_router import models
from chorus_router.app import create_app
from sqlalchemy import select

from services.router.tests.router_accountability_support import settings
from services.router.tests.router_support import case_events
from tests.support.fixtures import running
from tests.support.wait import wait_for

MINIMAL_POST = {
    "type": "post.received",
    "producer": "crm-export",
    "payload": {
        "post": {
            "id": "generic:crm-1",
            "platform": "generic",
            "channel": "crm",
            "kind": "comment",
            "native_id": "crm-1",
            "thread_id": "generic:crm-thread-1",
            "author": {"id": "customer-1"},
            "text": "Where is my order? The delivery is late",
            "created_at": "2026-11-18T09:59:00+00:00",
        }
    },
}


@pytest.mark.unit
async def test_a_post_with_only_the_required_fields_opens_a_case(memory_broker, sqlite_url) -> None:
    app = create_app(settings(sqlite_url), bus=memory_broker)
    thread = MINIMAL_POST["payload"]["post"]["thread_id"]  # type: ignore[index]
    async with running(app):
        await memory_broker.append(
            [OutMessage(topics.POSTS, thread.encode(), orjson.dumps(MINIMAL_POST))]
        )

        async def opened():
            return [e for e in case_events(memory_broker) if e.type == "case.opened"]

        (event,) = await wait_for(opened, what="case.opened for the minimal post")
        assert event.payload["thread_id"] == thread
        assert event.payload["post_ids"] == ["generic:crm-1"]
        async with app.state.core.runtime.sessionmaker() as s:
            rows = (await s.execute(select(models.routed_posts))).mappings().all()
        assert [r["post_id"] for r in rows] == ["generic:crm-1"]
        assert orjson.loads(rows[0]["post"])["received_at"], "recorded with its reception time"
    assert memory_broker.records(topics.DLQ) == [], "nothing dead-lettered"
