"""Channels with write-only secrets; signed generic webhooks; normalize dry run (memory bus)."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from chorus_cli import demo_payloads as demo
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from chorus_platforms.kit.signatures import relay_signature

from services.ingest.tests.ingest_helpers import generic_post, settings_kw
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

SECRET = "s3cr3t-signing-key"


@pytest.fixture
def app(memory_broker, sqlite_url):
    return create_app(IngestSettings(database_url=sqlite_url, **settings_kw()), bus=memory_broker)


async def _channel(client, **extra) -> dict[str, Any]:
    doc = {
        "platform": "generic",
        "external_id": "crm",
        "display_name": "CRM relay",
        "secrets": {"signing_secret": SECRET, "api_token": "tok-123"},
        **extra,
    }
    r = await client.post("/v1/channels", json=doc, headers=auth("admin"))
    assert r.status_code == 201, r.text
    return r.json()


def _signed(body: bytes, secret: str = SECRET, stamp: int | None = None) -> dict[str, str]:
    ts = str(stamp if stamp is not None else int(time.time()))
    return {
        "content-type": "application/json",
        "x-chorus-timestamp": ts,
        "x-chorus-signature": relay_signature(secret, ts, body),
    }


@pytest.mark.unit
async def test_channel_secrets_are_stored_but_never_returned(app) -> None:
    async with running(app) as client:
        created = await _channel(client)
        assert created["secrets_set"] == ["api_token", "signing_secret"]
        listed = await client.get("/v1/channels", headers=auth("lead"))
        assert listed.status_code == 200
        assert SECRET not in listed.text
        assert "tok-123" not in listed.text
        again = await client.post(
            "/v1/channels",
            json={"platform": "generic", "external_id": "crm"},
            headers=auth("admin"),
        )
        assert again.status_code == 409
        assert again.json()["id"] == created["id"]
        patched = await client.patch(
            f"/v1/channels/{created['id']}",
            json={"secrets": {"api_token": None}, "display_name": "CRM"},
            headers=auth("admin"),
        )
        assert patched.json()["secrets_set"] == ["signing_secret"]
        assert patched.json()["display_name"] == "CRM"
        assert (await client.get("/v1/channels", headers=auth("agent"))).status_code == 403
        deleted = await client.delete(f"/v1/channels/{created['id']}", headers=auth("admin"))
        assert deleted.status_code == 204


@pytest.mark.unit
async def test_generic_webhook_signature_valid_missing_wrong_and_replayed(
    app, memory_broker
) -> None:
    body = orjson.dumps({"posts": [generic_post("w1"), generic_post("w2")]})
    async with running(app) as client:
        await _channel(client)
        missing = await client.post(
            "/v1/webhooks/generic", content=body, headers={"content-type": "application/json"}
        )
        assert missing.status_code == 401
        wrong = await client.post(
            "/v1/webhooks/generic", content=body, headers=_signed(body, "not-the-secret")
        )
        assert wrong.status_code == 403
        replayed = await client.post(
            "/v1/webhooks/generic",
            content=body,
            headers=_signed(body, stamp=int(time.time()) - 3600),
        )
        assert replayed.status_code == 403
        tampered = await client.post(
            "/v1/webhooks/generic",
            content=body.replace(b"hello", b"HELLO"),
            headers=_signed(body),
        )
        assert tampered.status_code == 403
        assert memory_broker.records("chorus.posts.v1") == []
        ok = await client.post("/v1/webhooks/generic", content=body, headers=_signed(body))
        assert ok.status_code == 200, ok.text
        assert ok.json()["accepted"] == 2
        retry = await client.post("/v1/webhooks/generic", content=body, headers=_signed(body))
        assert retry.json()["duplicate"] == 2

        async def two():
            return len(memory_broker.records("chorus.posts.v1")) == 2

        await wait_for(two, what="the two webhook posts, once")


@pytest.mark.unit
async def test_webhook_envelope_keeps_going_past_bad_items(app, memory_broker) -> None:
    good_and_bad = orjson.dumps([generic_post("g1"), {"id": "bad"}, 42])
    only_bad = orjson.dumps([{"id": "bad"}])
    async with running(app) as client:
        await _channel(client)
        r = await client.post(
            "/v1/webhooks/generic", content=good_and_bad, headers=_signed(good_and_bad)
        )
        assert r.status_code == 200
        assert (r.json()["accepted"], r.json()["rejected"]) == (1, 2)
        r = await client.post("/v1/webhooks/generic", content=only_bad, headers=_signed(only_bad))
        assert r.status_code == 422
        not_json = b"<xml/>"
        r = await client.post("/v1/webhooks/generic", content=not_json, headers=_signed(not_json))
        assert r.status_code == 422
        assert r.json()["field"] == "body"

        async def dead():
            return len(memory_broker.records("chorus.dlq.v1")) == 4

        await wait_for(dead, what="four dead letters (2 + 1 + whole body)")


@pytest.mark.unit
async def test_unknown_platform_is_404_and_generic_has_no_handshake(app) -> None:
    async with running(app) as client:
        r = await client.post("/v1/webhooks/myspace", content=b"{}")
        assert r.status_code == 404
        assert r.json()["code"] == "unknown_platform"
        await _channel(client)
        assert (await client.get("/v1/webhooks/generic?x=1")).status_code == 404


@pytest.mark.unit
async def test_normalize_is_a_dry_run_that_publishes_nothing(app, memory_broker) -> None:
    body = orjson.dumps([generic_post("n1", text="Je suis très déçu @marque"), {"id": "x"}])
    async with running(app) as client:
        r = await client.post(
            "/v1/normalize/generic",
            content=body,
            headers={**auth("service"), "content-type": "application/json"},
        )
        assert r.status_code == 200
        doc = r.json()
        assert [p["id"] for p in doc["posts"]] == ["generic:n1"]
        assert doc["posts"][0]["lang"] == "fr"
        assert doc["posts"][0]["signals"]["entities"]["mentions"] == ["marque"]
        assert doc["errors"][0]["index"] == 1
        bad = await client.post("/v1/normalize/generic", content=b"nope", headers=auth("service"))
        assert bad.status_code == 422
        assert bad.json()["code"] == "invalid_json"
        again = await client.post("/v1/posts", content=body, headers=auth("service"))
        assert again.json()["accepted"] == 1, "the dry run must not have recorded the post"

        async def one():
            return len(memory_broker.records("chorus.posts.v1")) == 1

        await wait_for(one, what="only the /v1/posts copy published")


@pytest.mark.unit
async def test_meta_handshake_and_signed_page_comment_through_the_endpoint(
    app, memory_broker
) -> None:
    async with running(app) as client:
        r = await client.post(
            "/v1/channels",
            json={
                "platform": "facebook",
                "external_id": demo.FB_PAGE_ID,
                "secrets": demo.SECRETS["facebook"],
            },
            headers=auth("admin"),
        )
        assert r.status_code == 201
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "x"}
        assert (await client.get("/v1/webhooks/facebook", params=query)).status_code == 403
        query["hub.verify_token"] = demo.SECRETS["facebook"]["verify_token"]
        ok = await client.get("/v1/webhooks/facebook", params=query)
        assert (ok.status_code, ok.text) == (200, "1158201444")

        d = demo.facebook_comment(
            f"{demo.FB_PAGE_ID}_1",
            "1_2",
            demo.Person("9", "h", "Jo"),
            "Colis abîmé",
            demo.utc_now(),
        )
        unsigned = {"content-type": "application/json"}
        assert (
            await client.post("/v1/webhooks/facebook", content=d.body, headers=unsigned)
        ).status_code == 401
        wrong = {**d.headers, "x-hub-signature-256": "sha256=" + "0" * 64}
        assert (
            await client.post("/v1/webhooks/facebook", content=d.body, headers=wrong)
        ).status_code == 403
        good = await client.post("/v1/webhooks/facebook", content=d.body, headers=d.headers)
        assert good.status_code == 200
        assert good.json()["accepted"] == 1
        # Meta signs no timestamp: a replayed delivery verifies, and the dedup absorbs it.
        again = await client.post("/v1/webhooks/facebook", content=d.body, headers=d.headers)
        assert again.json()["duplicate"] == 1

        async def one():
            return len(memory_broker.records("chorus.posts.v1")) == 1

        await wait_for(one, what="the comment published once")


@pytest.mark.unit
async def test_bodies_over_the_limit_get_413(memory_broker, sqlite_url) -> None:
    small = create_app(
        IngestSettings(database_url=sqlite_url, **settings_kw(max_body_bytes=2048)),
        bus=memory_broker,
    )
    async with running(small) as client:
        big = orjson.dumps([generic_post(str(i)) for i in range(40)])
        r = await client.post("/v1/posts", content=big, headers=auth("service"))
        assert r.status_code == 413
        r = await client.post("/v1/webhooks/generic", content=big)
        assert r.status_code == 413
