"""The brand's own posts (``from_brand``) on the real broker, SQLite and PostgreSQL: they open
no case, a native reply answers its conversation's case once, and an early one waits for it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from chorus_common.contracts.events import Post
from chorus_common.messaging.bus.kafka import KafkaConsumer
from chorus_common.messaging.envelope import Envelope
from chorus_router import models
from chorus_router.app import create_app
from chorus_router.background import sla_once
from sqlalchemy import func, select

from services.router.tests.router_accountability_support import (
    ADMIN,
    T0,
    Clock,
    accountability,
    settings,
    wait_cases,
)
from services.router.tests.router_support import encode, make_post, post_event
from tests.support.fixtures import auth, producing, running
from tests.support.wait import wait_for


def brand_reply(to: Post, native_id: str, minutes: float = 5) -> Post:
    """The brand's reply to ``to``, written on the platform ``minutes`` after it."""
    at = to.created_at + timedelta(minutes=minutes)
    return Post(
        id=Post.make_id(to.platform, native_id),
        platform=to.platform,
        channel=to.channel,
        kind="reply",
        native_id=native_id,
        url=f"https://x.example/brand/status/{native_id}",
        thread_id=to.thread_id,
        in_reply_to=to.id,
        author={"id": "brand", "handle": "brand"},
        text="Sorry about that, we are on it: check your DMs.",
        lang="en",
        created_at=at,
        received_at=at,
        from_brand=True,
    )


async def _log(app: Any, case_id: str) -> list[tuple[str, str]]:
    t = models.case_log
    async with app.state.core.runtime.sessionmaker() as s:
        q = select(t.c.event, t.c.reason).where(t.c.case_id == case_id).order_by(t.c.seq)
        return [(e, r) for e, r in (await s.execute(q)).all()]


async def _count(app: Any, table: Any) -> int:
    async with app.state.core.runtime.sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())


async def _case(client: Any, case_id: str) -> dict[str, Any]:
    r = await client.get(f"/v1/cases/{case_id}", headers=ADMIN)
    assert r.status_code == 200, r.text
    return dict(r.json())


@asynccontextmanager
async def _router(broker: str, db_url: str) -> AsyncIterator[tuple[Any, Any, Any]]:
    """A router on the broker, its client and a producer of posts."""
    s = settings(db_url, kafka_bootstrap_servers=broker)
    async with producing(s) as producer:
        app = create_app(s)
        async with running(app) as client:
            yield app, client, producer


@pytest.mark.integration
async def test_native_reply_is_the_first_response_stops_the_sla_and_is_in_the_history(
    broker, db_url
) -> None:
    clock = Clock()
    s = settings(db_url, kafka_bootstrap_servers=broker, router_sla_check_seconds=3600.0)
    watcher = KafkaConsumer(
        s, group_id=f"t-{uuid.uuid4().hex}", topics=["chorus.cases.v1"], client_id="t"
    )
    await watcher.start()
    seen: list[Envelope] = []
    try:
        async with producing(s) as producer:
            app = create_app(s)
            app.state.core.clock = clock
            async with running(app) as client:
                post = make_post("Where is my refund?", thread_id="x:native", received_at=T0)
                await producer.send_many(encode([post_event(post)]))
                (case,) = await wait_cases(client, 1, what="support case")
                clock.advance(minutes=5)
                reply = brand_reply(post, "b1")
                twice = [post_event(reply), post_event(reply)]  # a redelivery, as a new event
                await producer.send_many(encode([*twice, post_event(reply)]))
                (answered,) = await wait_cases(client, 1, status="replied", what="native reply")
                assert answered["id"] == case["id"]
                assert answered["first_response_at"] == clock.now.isoformat()
                clock.advance(hours=24)  # far past the due time: answered, so no breach
                assert await sla_once(app.state.core) == 0

                async def updated():
                    seen.extend(
                        Envelope.from_bytes(r.value) for r in await watcher.getmany(200, 500)
                    )
                    found = [e for e in seen if e.payload.get("native_reply")]
                    return found or None

                (event,) = await wait_for(updated, timeout=40, what="the native reply's case event")
                assert event.type == "case.updated" and event.payload["status"] == "replied"
                assert event.payload["native_reply"]["post_id"] == reply.id
                assert event.payload["native_reply"]["first_response"] is True
                log = await _log(app, case["id"])
                natives = [r for _e, r in log if r.startswith("replied natively on the platform")]
                assert natives == [f"replied natively on the platform ({reply.id}); first response"]
                rec = await accountability(client, case["id"])
                assert [b["post_id"] for b in rec["brand_replies"]] == [reply.id]
                assert rec["sla"]["first_response"]["responded_at"] == answered["first_response_at"]
                r = await client.get(f"/v1/cases/{case['id']}/posts", headers=ADMIN)
                conversation = r.json()["posts"]
                assert [(p["id"], p["from_brand"]) for p in conversation] == [
                    (post.id, False),
                    (reply.id, True),
                ]
                assert conversation[1]["url"] == reply.url
                assert await _count(app, models.cases) == 1
                assert await _count(app, models.brand_posts) == 1
                owner = answered["assignee"]
                assert owner, "the case had an owner to tell"
                r = await client.get(
                    "/v1/notifications", params={"member_id": owner}, headers=ADMIN
                )
                notes = [n for n in r.json()["items"] if n["kind"] == "native_reply"]
                assert [(n["case_id"], n["data"]["post_id"]) for n in notes] == [
                    (case["id"], reply.id)
                ], "the owner is told once, whatever the redeliveries"
                assert notes[0]["data"]["first_response"] is True
    finally:
        await watcher.stop()


@pytest.mark.integration
async def test_brand_posts_without_a_case_open_nothing_and_an_early_reply_waits(
    broker, db_url
) -> None:
    async with _router(broker, db_url) as (app, client, producer):
        own = make_post("Our new collection is out!", thread_id=None)
        own = own.model_copy(update={"from_brand": True})  # the brand's own root post
        customer = make_post("The parcel never came", thread_id="x:early")
        early = brand_reply(customer, "b-early", minutes=1)
        await producer.send_many(encode([post_event(own), post_event(early)]))

        async def stored() -> int | None:
            n = await _count(app, models.brand_posts)
            return n if n == 2 else None

        await wait_for(stored, timeout=40, what="brand posts stored")
        assert await _count(app, models.cases) == 0, "brand activity opens no case"
        path = f"/v1/posts/{quote(early.id, safe='')}"
        waiting = (await client.get(path, headers=ADMIN)).json()
        assert (waiting["from_brand"], waiting["case_id"], waiting["case"]) == (True, None, None)
        agent = auth("agent", teams=("support",))
        assert (await client.get(path, headers=agent)).status_code == 404, "no case: admins only"
        await producer.send_many(encode([post_event(customer)]))
        (case,) = await wait_cases(client, 1, status="replied", what="early reply applied")
        assert case["latest_post_id"] == customer.id, "the customer's post leads the case"
        assert case["first_response_at"] is not None
        rec = await accountability(client, case["id"])
        assert [b["post_id"] for b in rec["brand_replies"]] == [early.id]
        assert await _count(app, models.cases) == 1
        answering = await client.get(path, headers=auth("agent", teams=(case["team"],)))
        assert answering.status_code == 200, answering.text
        assert (answering.json()["case_id"], answering.json()["case"]["status"]) == (
            case["id"],
            "replied",
        )
        elsewhere = await client.get(path, headers=auth("agent", teams=("nobody",)))
        assert elsewhere.status_code == 404


@pytest.mark.integration
async def test_a_reply_older_than_the_customers_next_post_leaves_that_post_waiting(
    broker, db_url
) -> None:
    async with _router(broker, db_url) as (app, client, producer):
        first = make_post("Where is my parcel?", thread_id="x:late", received_at=T0)
        then = make_post("Hello??", thread_id="x:late", received_at=T0 + timedelta(minutes=10))
        await producer.send_many(encode([post_event(first), post_event(then)]))

        async def both_kept():
            n = await _count(app, models.routed_posts)
            return n if n == 2 else None

        await wait_for(both_kept, timeout=40, what="both posts routed")
        late = brand_reply(first, "b-late", minutes=5)  # written before "Hello??"
        await producer.send_many(encode([post_event(late)]))

        async def logged():
            (case,) = await wait_cases(client, 1, what="the case")
            rec = await accountability(client, case["id"])
            return case if rec["brand_replies"] else None

        case = await wait_for(logged, timeout=40, what="the late reply recorded")
        assert case["status"] in ("assigned", "queued"), "the newer post still waits"
        assert case["first_response_at"] is None
        assert case["sla_due_at"] > (T0 + timedelta(minutes=10)).isoformat()
        natives = [r for _e, r in await _log(app, case["id"]) if "natively" in r]
        assert natives == [f"replied natively on the platform ({late.id}); first response"]
