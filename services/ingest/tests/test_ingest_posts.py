"""POST /v1/posts: validation, per-item results, dedup, edits, DLQ copies (memory bus)."""

from __future__ import annotations

import pytest
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings

from services.ingest.tests.ingest_helpers import envelopes, generic_post, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

POSTS = "chorus.posts.v1"
DLQ = "chorus.dlq.v1"


@pytest.fixture
def app(memory_broker, sqlite_url):
    return create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)


@pytest.mark.unit
async def test_batch_reports_accepted_duplicate_updated_and_rejected_per_item(
    app, memory_broker
) -> None:
    async with running(app) as client:
        first = await client.post(
            "/v1/posts", json=[generic_post("1"), generic_post("2")], headers=auth("service")
        )
        assert first.status_code == 200, first.text
        assert first.json()["accepted"] == 2
        second = await client.post(
            "/v1/posts",
            json={
                "posts": [
                    generic_post("1"),
                    generic_post("2", text="hello, edited"),
                    {"id": "3", "channel": "crm"},
                ]
            },
            headers=auth("service"),
        )
        assert second.status_code == 200
        doc = second.json()
        statuses = [r["status"] for r in doc["results"]]
        assert statuses == ["duplicate", "updated", "rejected"]
        assert doc["results"][1]["revision"] == 2
        assert doc["results"][2]["error"]["field"] in ("author", "text", "created_at")

        async def published():
            return len(memory_broker.records(POSTS)) == 3 and len(memory_broker.records(DLQ)) == 1

        await wait_for(published, what="3 posts and 1 dead letter")
    events = envelopes(memory_broker, POSTS)
    by_id = {(e.payload["post"]["id"], e.payload["revision"]): e for e in events}
    assert set(by_id) == {("generic:1", 1), ("generic:2", 1), ("generic:2", 2)}
    edit = by_id[("generic:2", 2)].parsed()
    assert edit.is_update is True
    assert edit.post.text == "hello, edited"
    assert edit.post.signals.sentiment_label is not None
    dead = envelopes(memory_broker, DLQ)[0]
    letter = dead.parsed()
    assert letter.source == "ingest.generic"
    assert b'"id":"3"' in letter.original()
    assert letter.post_id == "generic:3", "the dead letter names the post it would have been"
    assert dead.trace_id == by_id[("generic:2", 2)].trace_id, "the request's trace id"


@pytest.mark.unit
async def test_bad_json_gets_422_naming_the_body_and_a_dead_letter(app, memory_broker) -> None:
    async with running(app) as client:
        r = await client.post(
            "/v1/posts",
            content=b'{"id": "1", "text": ',
            headers={**auth("service"), "content-type": "application/json"},
        )
        assert r.status_code == 422
        assert r.json()["field"] == "body"
        single = await client.post(
            "/v1/posts", json=generic_post("9", created_at="yesterday"), headers=auth("service")
        )
        assert single.status_code == 422
        assert single.json()["field"] == "created_at"

        async def dead():
            return len(memory_broker.records(DLQ)) == 2

        await wait_for(dead, what="two dead letters")
    originals = [e.parsed().original() for e in envelopes(memory_broker, DLQ)]
    assert originals[0] == b'{"id": "1", "text": ' or originals[1] == b'{"id": "1", "text": '


@pytest.mark.unit
async def test_posts_need_a_token_with_posts_write(app) -> None:
    async with running(app) as client:
        assert (await client.post("/v1/posts", json=generic_post("1"))).status_code == 401
        r = await client.post("/v1/posts", json=generic_post("1"), headers=auth("agent"))
        assert r.status_code == 403


@pytest.mark.unit
async def test_replies_join_the_parent_thread(app, memory_broker) -> None:
    async with running(app) as client:
        r = await client.post(
            "/v1/posts",
            json=[generic_post("p1"), generic_post("c1", kind="reply", in_reply_to="p1")],
            headers=auth("service"),
        )
        assert r.json()["accepted"] == 2

        async def two():
            return len(memory_broker.records(POSTS)) == 2

        await wait_for(two, what="two posts")
    posts = [e.parsed().post for e in envelopes(memory_broker, POSTS)]
    assert {p.thread_id for p in posts} == {"generic:p1"}
    reply = next(p for p in posts if p.native_id == "c1")
    assert reply.in_reply_to == "generic:p1"


@pytest.mark.unit
def test_staged_envelope_bytes_decode_to_the_same_envelope() -> None:
    from chorus_common.contracts.events import utcnow
    from chorus_common.messaging.envelope import Envelope
    from chorus_ingest.envelopes import post_event

    post = {"id": "generic:1", "platform": "generic", "channel": "c", "kind": "post",
            "native_id": "1", "thread_id": "generic:1", "author": {"id": "a"}, "text": "é 😍",
            "created_at": "2026-01-01T10:00:00Z"}  # fmt: skip
    staged = post_event(post, update=True, revision=2, now=utcnow(), trace_id="t1")
    decoded = Envelope.from_bytes(staged.to_bytes())
    assert decoded.model_dump() == Envelope.from_bytes(Envelope.to_bytes(staged)).model_dump()
    assert decoded.parsed().revision == 2
    assert decoded.parsed().post.text == "é 😍"
