"""A reply the brand wrote in the platform's own app (the router's ``case.updated`` with
``native_reply``) is a collision: an open draft is warned, sending it needs ``force``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_common.contracts.events import NativeReply
from chorus_common.messaging.envelope import make_event
from chorus_responder import models
from chorus_responder.app import create_app
from sqlalchemy import func, select

from services.responder.tests.responder_fake_platform import FakePlatform, ServedFake
from services.responder.tests.responder_helpers import (
    agent,
    envelopes,
    make_case,
    make_post,
    out_messages,
    settings,
    wait_seeded,
)
from tests.support.fixtures import producing, running
from tests.support.wait import wait_for

URL = "https://x.example/brand/status/b1"


async def exercise(app: Any, send: Any) -> None:
    async with running(app) as client:
        post = make_post()
        case = make_case(post)
        await send(out_messages(envelopes(post, case)))
        await wait_seeded(app, post, case)
        ann = agent("ann", "support")
        url = f"/v1/cases/{case.case_id}/replies"
        draft = (await client.post(url, json={"text": "from Ann"}, headers=ann)).json()
        assert draft["collisions"] == []
        native = NativeReply(
            post_id="x:b1", url=URL, created_at=datetime.now(UTC), first_response=True
        )
        answered = case.model_copy(
            update={"version": 2, "status": "replied", "native_reply": native}
        )
        event = make_event("case.updated", answered, producer="test")
        await send(out_messages([event, event]))  # redelivered: one collision

        async def warned():
            r = await client.get(url, headers=ann)
            return r.json()["collisions"] or None

        (seen,) = await wait_for(warned, timeout=30, what="the native reply as a collision")
        assert (seen["member"], seen["activity"]) == ("brand", "replied_natively")
        assert (seen["post_id"], seen["url"]) == ("x:b1", URL)
        r = await client.post(f"/v1/replies/{draft['reply_id']}/send", headers=ann)
        assert r.status_code == 409 and r.json()["code"] == "collision"
        assert r.json()["collisions"][0]["activity"] == "replied_natively"
        r = await client.post(
            f"/v1/replies/{draft['reply_id']}/send", json={"force": True}, headers=ann
        )
        assert r.status_code == 202
        async with app.state.runtime.sessionmaker() as s:
            n = await s.execute(select(func.count()).select_from(models.native_replies))
            assert n.scalar_one() == 1


@pytest.mark.unit
async def test_a_native_reply_warns_the_drafter_and_blocks_an_unforced_send(
    memory_broker, sqlite_url
) -> None:
    with ServedFake(FakePlatform()) as fake:
        cfg = settings(sqlite_url, platform_base_url=fake.base_url)
        await exercise(create_app(cfg, bus=memory_broker), memory_broker.append)


@pytest.mark.integration
async def test_a_native_reply_is_a_collision_on_the_broker(broker, db_url) -> None:
    with ServedFake(FakePlatform()) as fake:
        cfg = settings(db_url, kafka_bootstrap_servers=broker, platform_base_url=fake.base_url)
        async with producing(cfg) as producer:
            await exercise(create_app(cfg), producer.send_many)
