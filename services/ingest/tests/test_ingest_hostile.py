"""Property tests: malformed and hostile bodies get clear 4xx answers, never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import httpx
import pytest
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_ingest.app import create_app
from chorus_ingest.settings import IngestSettings
from chorus_platforms.kit.signatures import relay_signature
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.ingest_helpers import settings_kw
from tests.support.fixtures import auth

SECRETS = {
    "app_secret": "meta-secret",
    "consumer_secret": "x-secret",
    "signing_secret": "relay-secret",
    "hub_secret": "hub-secret",
    "webhook_secret": "hub-secret",
    "token": "push-token",
    "verify_token": "vt",
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "\u0000", "<script>alert(1)</script>", "9" * 40, "2026-13-45T99:00"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
post_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "channel": json_values,
        "text": json_values,
        "author": json_values | st.fixed_dictionaries({"id": json_values}),
        "created_at": json_values,
        "kind": json_values,
        "rating": json_values,
        "metrics": json_values,
        "media": json_values,
        "platform": json_values,
        "thread_id": json_values,
    },
)


def _encode(value: object) -> bytes:
    return json.dumps(value, allow_nan=False).encode()


bodies = (
    st.binary(max_size=600)
    | json_values.map(_encode)
    | post_like.map(_encode)
    | st.lists(post_like, max_size=5).map(_encode)
    | st.sampled_from([b'"\\ud800"', b'{"posts": "x"}', b"[]", b"{}", b"\xff\xfe{", b"null"])
)


class AppHarness:
    """One app for all examples: hypothesis tests are sync, so the loop is driven by hand."""

    def __init__(self, db_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.app = create_app(
            IngestSettings(database_url=db_url, **settings_kw()), bus=MemoryBroker()
        )
        self._life = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self._life.__aenter__())
        transport = httpx.ASGITransport(app=self.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        for platform in CONNECTORS:
            self.post_json(
                "/v1/channels",
                {"platform": platform, "external_id": f"ch-{platform}", "secrets": SECRETS},
                auth("admin"),
            )

    def post_json(self, path: str, doc: object, headers: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(path, json=doc, headers=headers))

    def post(
        self, path: str, body: bytes, headers: dict[str, str], params: dict[str, str] | None = None
    ):
        return self.loop.run_until_complete(
            self.client.post(path, content=body, headers=headers, params=params)
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self._life.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    h = AppHarness(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('hostile')}/h.db")
    yield h
    h.close()


def _signed_headers(platform: str, body: bytes, content_type: str) -> dict[str, str]:
    """Correct signatures for every scheme, so hostile bodies reach the parsers."""
    stamp = str(int(time.time()))
    meta = "sha256=" + hmac.new(b"meta-secret", body, hashlib.sha256).hexdigest()
    hub = "sha256=" + hmac.new(b"hub-secret", body, hashlib.sha256).hexdigest()
    import base64

    x = "sha256=" + base64.b64encode(hmac.new(b"x-secret", body, hashlib.sha256).digest()).decode()
    return {
        "content-type": content_type,
        "x-hub-signature-256": meta if platform in ("facebook", "instagram", "whatsapp",
                                                    "messenger") else hub,
        "x-twitter-webhooks-signature": x,
        "x-chorus-timestamp": stamp,
        "x-chorus-signature": relay_signature("relay-secret", stamp, body),
        "authorization": "Basic " + base64.b64encode(b"u:p").decode(),
    }  # fmt: skip


@pytest.mark.unit
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_posts_endpoint_answers_hostile_bodies_with_4xx_or_per_item_results(
    harness, body, content_type
) -> None:
    r = harness.post("/v1/posts", body, {**auth("service"), "content-type": content_type})
    assert r.status_code in (200, 413, 422), r.text
    doc = r.json()
    if r.status_code == 422:
        assert doc["code"]
    else:
        assert "results" in doc


@pytest.mark.unit
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    platform=st.sampled_from(sorted(CONNECTORS)),
    body=bodies | st.sampled_from([b"<rss><channel><item>", b"<?xml version='1.0'?><!DOCTYPE x "
                                   b"[<!ENTITY a 'aaaa'>]><feed>&a;</feed>", b"From: x\r\n\r\nhi"]),
    content_type=st.sampled_from(["application/json", "application/xml", "message/rfc822"]),
    signed=st.booleans(),
)  # fmt: skip
def test_webhooks_answer_hostile_bodies_with_clear_4xx_never_500(
    harness, platform, body, content_type, signed
) -> None:
    headers = _signed_headers(platform, body, content_type) if signed else {
        "content-type": content_type}  # fmt: skip
    r = harness.post(f"/v1/webhooks/{platform}", body, headers, {"token": "push-token"})
    assert r.status_code < 500, (platform, r.status_code, r.text)
    if r.status_code >= 400:
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"]
    n = harness.post(
        f"/v1/normalize/{platform}", body, {**auth("service"), "content-type": content_type}
    )
    assert n.status_code < 500, (platform, n.status_code, n.text)
    if n.status_code == 200:
        assert set(n.json()) == {"posts", "errors", "skipped", "fetches"}
    else:
        assert n.headers["content-type"] == "application/problem+json"
        assert n.json()["code"]
