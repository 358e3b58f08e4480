"""A Threads channel through ingest's webhook endpoint: the hub handshake, then the documented
replies notification signed with the app secret (missing, wrong, good and replayed)."""

from __future__ import annotations

import pytest
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings

from services.ingest.tests.connector_kit import fixture
from services.ingest.tests.ingest_helpers import envelopes, settings_kw
from services.ingest.tests.social_kit import META_SECRETS, VERIFY_TOKEN, meta_headers
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit


async def test_threads_handshake_and_signed_reply_through_the_endpoint(
    memory_broker, sqlite_url
) -> None:
    app = create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)
    async with running(app) as client:
        r = await client.post(
            "/v1/channels",
            json={"platform": "threads", "external_id": "123456", "secrets": META_SECRETS},
            headers=auth("admin"),
        )
        assert r.status_code == 201, r.text
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "x"}
        assert (await client.get("/v1/webhooks/threads", params=query)).status_code == 403
        query["hub.verify_token"] = VERIFY_TOKEN
        ok = await client.get("/v1/webhooks/threads", params=query)
        assert (ok.status_code, ok.text) == (200, "1158201444")

        body = fixture("threads", "replies_webhook.json")
        plain = {"content-type": "application/json"}
        missing = await client.post("/v1/webhooks/threads", content=body, headers=plain)
        assert missing.status_code == 401
        wrong = {**plain, **meta_headers(body, "not-the-app-secret")}
        assert (
            await client.post("/v1/webhooks/threads", content=body, headers=wrong)
        ).status_code == 403
        signed = {**plain, **meta_headers(body)}
        good = await client.post("/v1/webhooks/threads", content=body, headers=signed)
        assert (good.status_code, good.json()["accepted"]) == (200, 1)
        # Meta signs no time: a replayed delivery verifies and the dedup absorbs it.
        again = await client.post("/v1/webhooks/threads", content=body, headers=signed)
        assert again.json()["duplicate"] == 1

        async def one() -> bool:
            return len(envelopes(memory_broker, "chorus.posts.v1")) == 1

        await wait_for(one, what="the reply published once")
    [event] = envelopes(memory_broker, "chorus.posts.v1")
    post = event.payload["post"]
    assert (post["id"], post["thread_id"], post["in_reply_to"], post["channel"]) == (
        "threads:8901234",
        "threads:123456",
        "threads:567890",
        "123456",
    )
