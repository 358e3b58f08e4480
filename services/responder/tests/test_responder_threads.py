"""The Threads sender against a local fake of the Threads Graph API: container then publish,
the permalink, reconciliation, and throttling, outages and refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import PLATFORMS, SENDERS

from services.responder.tests.responder_fake_platform import Recorded, Scripted, ServedFake
from services.responder.tests.responder_fake_social import THREADS_USER, FakeSocial

pytestmark = pytest.mark.unit
TOKEN = "threads-token"
SENDER = SENDERS["threads"]
REPLY = OutboundReply(
    reply_id="r-1",
    idempotency_key="idem-1",
    adapter="threads",
    visibility="public",
    mode="create",
    text="Merci, on regarde ça tout de suite 🙏",
    post_native_id="18050000000000001",
    post_kind="comment",
    post_url=None,
    parent_native_id=None,
    author_id="test_username",
    author_handle="test_username",
)
CREATE = f"POST /v1.0/{THREADS_USER}/threads"
PUBLISH = f"POST /v1.0/{THREADS_USER}/threads_publish"
GRAPH_THROTTLED = {
    "error": {
        "message": "(#4) Application request limit reached",
        "type": "OAuthException",
        "is_transient": True,
        "code": 4,
        "fbtrace_id": "Ab",
    }
}


@pytest.fixture
def served() -> Iterator[ServedFake]:
    with ServedFake(FakeSocial()) as s:
        yield s


def _exact(served: ServedFake, key: str) -> list[Recorded]:
    method, _, path = key.partition(" ")
    return [r for r in served.fake.requests if (r.method, r.path) == (method, path)]


def _channel(served: ServedFake) -> Channel:
    return Channel("threads", THREADS_USER, served.base_url, {}, {"access_token": TOKEN})


async def test_reply_is_a_text_container_then_published_and_found_again(served) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        delivered = await SENDER.send(REPLY, _channel(served), http)
        [create] = _exact(served, CREATE)
        [publish] = _exact(served, PUBLISH)
        assert create.headers["authorization"] == f"Bearer {TOKEN}"
        assert create.headers["content-type"] == "application/x-www-form-urlencoded"
        assert create.form() == {
            "media_type": "TEXT",
            "text": REPLY.text,
            "reply_to_id": "18050000000000001",
        }
        container = served.fake.objects("threads_containers")[0]["id"]
        assert publish.form() == {"creation_id": container}
        [made] = served.fake.objects("threads")
        assert delivered.platform_reply_id == made["id"] != container
        assert delivered.url == f"https://www.threads.net/@brand/post/{made['id']}"
        found = await SENDER.find(REPLY, _channel(served), http)
    assert found is not None and found.platform_reply_id == delivered.platform_reply_id
    lookup = served.fake.calls("GET /v1.0/18050000000000001/replies")[0]
    assert lookup.query["fields"] == "id,text,permalink,is_reply_owned_by_me"


async def test_a_failed_permalink_lookup_still_reports_the_published_reply(served) -> None:
    served.fake.script("GET /v1.0/1001", Scripted(status=500, body={"error": {"code": 2}}))
    async with httpx.AsyncClient(timeout=5) as http:
        delivered = await SENDER.send(REPLY, _channel(served), http)
    assert (delivered.platform_reply_id, delivered.url) == ("1001", None)


async def test_nothing_is_found_before_the_reply_exists(served) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        assert await SENDER.find(REPLY, _channel(served), http) is None


async def test_throttling_outages_and_refusals_map_to_transient_or_permanent(served) -> None:
    served.fake.script(
        CREATE,
        Scripted(
            status=429, body={"error": {"message": "slow down"}}, headers={"Retry-After": "7"}
        ),
        Scripted(status=400, body=GRAPH_THROTTLED),
        Scripted(status=503, body={"error": {"message": "Service Unavailable", "code": 2}}),
        Scripted(
            status=400,
            body={
                "error": {
                    "message": "The requested resource does not exist",
                    "type": "THApiException",
                    "code": 24,
                    "error_subcode": 4279009,
                    "fbtrace_id": "Ac",
                }
            },
        ),
    )
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(TransientSendError) as limited:
            await SENDER.send(REPLY, _channel(served), http)
        assert (limited.value.code, limited.value.retry_after) == ("rate_limited", 7.0)
        with pytest.raises(TransientSendError) as throttled:
            await SENDER.send(REPLY, _channel(served), http)
        assert throttled.value.code == "rate_limited" and not throttled.value.ambiguous
        assert "Application request limit reached" in str(throttled.value)
        with pytest.raises(TransientSendError) as down:
            await SENDER.send(REPLY, _channel(served), http)
        assert down.value.code == "http_503" and down.value.ambiguous
        with pytest.raises(PermanentSendError) as refused:
            await SENDER.send(REPLY, _channel(served), http)
        assert (refused.value.code, refused.value.status) == ("24", 400)
    assert _exact(served, PUBLISH) == []  # no container was made, nothing published


async def test_a_publish_that_fails_leaves_nothing_published(served) -> None:
    served.fake.script(PUBLISH, Scripted(status=400, body=GRAPH_THROTTLED))
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(TransientSendError) as throttled:
            await SENDER.send(REPLY, _channel(served), http)
        assert throttled.value.code == "rate_limited"
        assert await SENDER.find(REPLY, _channel(served), http) is None
    assert served.fake.objects("threads") == []


def test_threads_limit_counts_emoji_as_their_utf8_bytes() -> None:
    limit = PLATFORMS["threads"].limit
    assert limit is not None and limit.maximum == 500
    assert limit.measure("a" * 500) == 500
    assert limit.measure("🙏") == 4 and limit.measure("👍🏽") == 8 and limit.measure("é") == 1
    assert limit.measure(REPLY.text) == len(REPLY.text) - 1 + 4
