"""The Bluesky sender against a local fake PDS: the app-password session, the reply record with
its root and parent strong refs, token refresh, reconciliation and error mapping."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from chorus_platforms.bluesky.sender import BlueskySender
from chorus_platforms.bluesky.session import Sessions
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import PLATFORMS, SENDERS
from chorus_responder.app import create_app

from services.responder.tests.responder_fake_platform import Scripted, ServedFake
from services.responder.tests.responder_fake_social import (
    BSKY_DID,
    BSKY_HANDLE,
    ROOT_CID,
    ROOT_URI,
    THEIR_DID,
    FakeBluesky,
)
from services.responder.tests.responder_helpers import agent, make_case, make_post, seed, settings
from tests.support.fixtures import auth, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.unit
CHILD = "at://did:plc:fyh2dc4kfeue7g4oujhuf6mn/app.bsky.feed.post/3jsgg622lu22n"
REPLY = OutboundReply(
    reply_id="r-1",
    idempotency_key="idem-1",
    adapter="bluesky",
    visibility="public",
    mode="create",
    text="Thanks! A fix ships tomorrow 🙏",
    post_native_id=CHILD,
    post_kind="comment",
    post_url=None,
    parent_native_id=ROOT_URI,
    author_id="did:plc:fyh2dc4kfeue7g4oujhuf6mn",
    author_handle="mar.bsky.social",
    lang="en",
)
CREATE = "POST /xrpc/com.atproto.repo.createRecord"
SESSION = "POST /xrpc/com.atproto.server.createSession"
REFRESH = "POST /xrpc/com.atproto.server.refreshSession"


@pytest.fixture
def served() -> Iterator[ServedFake]:
    with ServedFake(FakeBluesky()) as s:
        yield s


def _channel(served: ServedFake, password: str = "app-pass-1234") -> Channel:
    credentials = {"identifier": BSKY_HANDLE, "app_password": password}
    return Channel("bluesky", BSKY_HANDLE, served.base_url, {}, credentials)


async def test_reply_record_carries_root_and_parent_strong_refs_and_is_found_again(
    served,
) -> None:
    sender = SENDERS["bluesky"]
    async with httpx.AsyncClient(timeout=5) as http:
        delivered = await sender.send(REPLY, _channel(served), http)
        found = await sender.find(REPLY, _channel(served), http)
    [login] = served.fake.calls(SESSION)
    assert login.json() == {"identifier": BSKY_HANDLE, "password": "app-pass-1234"}
    [lookup] = served.fake.calls("GET /xrpc/app.bsky.feed.getPosts")
    assert lookup.query == {"uris": CHILD}
    [create] = served.fake.calls(CREATE)
    assert create.headers["authorization"].removeprefix("Bearer ") in served.fake.access
    body = create.json()
    record = body.pop("record")
    assert body == {"repo": BSKY_DID, "collection": "app.bsky.feed.post"}
    created_at = record.pop("createdAt")
    assert created_at.endswith("Z") and created_at.startswith("20")
    assert record == {
        "$type": "app.bsky.feed.post",
        "text": REPLY.text,
        "langs": ["en"],
        "reply": {
            "root": {"uri": ROOT_URI, "cid": ROOT_CID},
            "parent": {"uri": CHILD, "cid": "bafyreichild"},
        },
    }
    [made] = served.fake.objects("bluesky")
    assert delivered.platform_reply_id == made["uri"]
    assert (
        delivered.url
        == f"https://bsky.app/profile/{BSKY_HANDLE}/post/{made['uri'].rpartition('/')[2]}"
    )
    assert found is not None and found.platform_reply_id == delivered.platform_reply_id
    assert len(served.fake.calls(SESSION)) == 1  # the session is kept between calls


async def test_a_reply_to_a_top_level_post_uses_it_as_root_and_parent(served) -> None:
    reply = replace(REPLY, post_native_id=ROOT_URI)
    async with httpx.AsyncClient(timeout=5) as http:
        await BlueskySender(Sessions()).send(reply, _channel(served), http)
    refs = served.fake.calls(CREATE)[0].json()["record"]["reply"]
    assert refs == {
        "root": {"uri": ROOT_URI, "cid": ROOT_CID},
        "parent": {"uri": ROOT_URI, "cid": ROOT_CID},
    }


async def test_an_expired_access_token_is_refreshed_and_the_call_made_again(served) -> None:
    sender = BlueskySender(Sessions())
    async with httpx.AsyncClient(timeout=5) as http:
        await sender.send(REPLY, _channel(served), http)
        served.fake.expire_tokens()
        await sender.send(REPLY, _channel(served), http)
    assert len(served.fake.calls(SESSION)) == 1
    assert len(served.fake.calls(REFRESH)) == 1
    assert len(served.fake.objects("bluesky")) == 2


async def test_a_refused_refresh_signs_in_again(served) -> None:
    sender = BlueskySender(Sessions())
    async with httpx.AsyncClient(timeout=5) as http:
        await sender.send(REPLY, _channel(served), http)
        served.fake.expire_tokens()
        served.fake.refresh.clear()
        await sender.send(REPLY, _channel(served), http)
    assert len(served.fake.calls(SESSION)) == 2 and len(served.fake.calls(REFRESH)) == 1


async def test_a_token_near_its_expiry_is_renewed_before_it_is_used(served) -> None:
    now = [time.time()]
    sessions = Sessions(clock=lambda: now[0])
    async with httpx.AsyncClient(timeout=5) as http:
        first = await sessions.get(http, served.base_url, BSKY_HANDLE, "app-pass-1234")
        assert await sessions.get(http, served.base_url, BSKY_HANDLE, "app-pass-1234") is first
        now[0] = first.access_until - 30  # inside the renewal margin
        second = await sessions.get(http, served.base_url, BSKY_HANDLE, "app-pass-1234")
    assert second.access != first.access
    assert len(served.fake.calls(SESSION)) == 1 and len(served.fake.calls(REFRESH)) == 1


async def test_rate_limits_outages_and_refusals_map_to_transient_or_permanent(served) -> None:
    reset = int(time.time()) + 30
    limited_headers = {
        "RateLimit-Limit": "5000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": "5000;w=3600",
    }
    served.fake.script(
        CREATE,
        Scripted(
            status=429,
            body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers=limited_headers,
        ),
        Scripted(
            status=429,
            body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={"Retry-After": "7"},
        ),
        Scripted(status=502, body={"error": "UpstreamFailure", "message": "Upstream Failure"}),
        Scripted(
            status=400,
            body={
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
            },
        ),
    )
    sender = BlueskySender(Sessions())
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(TransientSendError) as limited:
            await sender.send(REPLY, _channel(served), http)
        assert limited.value.code == "rate_limited"
        assert limited.value.retry_after is not None and 25 <= limited.value.retry_after <= 30
        with pytest.raises(TransientSendError) as retry_after:
            await sender.send(REPLY, _channel(served), http)
        assert retry_after.value.retry_after == 7.0
        with pytest.raises(TransientSendError) as down:
            await sender.send(REPLY, _channel(served), http)
        assert down.value.code == "http_502" and down.value.ambiguous
        with pytest.raises(PermanentSendError) as refused:
            await sender.send(REPLY, _channel(served), http)
        assert refused.value.code == "InvalidRequest" and "300 graphemes" in str(refused.value)
    assert served.fake.objects("bluesky") == []


async def test_a_wrong_app_password_and_a_vanished_post_are_permanent(served) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(PermanentSendError) as wrong:
            await BlueskySender(Sessions()).send(REPLY, _channel(served, "nope"), http)
        assert (wrong.value.code, wrong.value.status) == ("AuthenticationRequired", 401)
        gone = replace(REPLY, post_native_id="at://did:plc:gone/app.bsky.feed.post/3kgone")
        with pytest.raises(PermanentSendError) as missing:
            await BlueskySender(Sessions()).send(gone, _channel(served), http)
        assert missing.value.code == "post_not_found"


def test_bluesky_limit_counts_graphemes() -> None:
    limit = PLATFORMS["bluesky"].limit
    assert limit is not None and (limit.maximum, limit.unit) == (300, "graphemes")
    assert limit.measure("👨‍👩‍👧" * 100) == 100  # a joined family emoji is one grapheme
    assert limit.measure("é" * 301) == 301
    assert limit.measure("😀" * 760) > 300  # past the 3,000-byte limit


async def test_links_and_resolvable_mentions_become_facets_at_utf8_byte_offsets(served) -> None:
    text = "@mar.bsky.social é voilà: https://status.example.com/42. @nobody.example 👋"
    async with httpx.AsyncClient(timeout=5) as http:
        await BlueskySender(Sessions()).send(replace(REPLY, text=text), _channel(served), http)
    record = served.fake.calls(CREATE)[0].json()["record"]
    assert record["text"] == text
    encoded = text.encode()
    link_start = encoded.index(b"https://")
    assert record["facets"] == [
        {
            "index": {"byteStart": 0, "byteEnd": 16},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": THEIR_DID}],
        },
        {
            "index": {
                "byteStart": link_start,
                "byteEnd": link_start + len(b"https://status.example.com/42"),
            },
            "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://status.example.com/42"}
            ],
        },
    ]


async def test_the_send_worker_reconciles_a_5xx_after_the_record_was_made(
    memory_broker, sqlite_url, served
) -> None:
    app = create_app(settings(sqlite_url, platform_base_url=served.base_url), bus=memory_broker)
    served.fake.script(
        CREATE,
        Scripted(status=500, body={"error": "InternalServerError"}, create=True),
    )
    post = make_post(platform="bluesky", kind="comment", channel=BSKY_HANDLE, native_id=CHILD)
    async with running(app) as client:
        credentials = {"identifier": BSKY_HANDLE, "app_password": "app-pass-1234"}
        r = await client.put(
            f"/v1/channels/bluesky/{BSKY_HANDLE}",
            json={"credentials": credentials},
            headers=auth("admin"),
        )
        assert r.status_code in (200, 201), r.text
        case = await seed(memory_broker, app, post, make_case(post))
        who = agent("sam", "support")
        made = await client.post(
            f"/v1/cases/{case.case_id}/replies", json={"text": "On it!"}, headers=who
        )
        rid = made.json()["reply_id"]
        assert (await client.post(f"/v1/replies/{rid}/send", headers=who)).status_code == 202

        async def done() -> dict[str, Any] | None:
            got = (await client.get(f"/v1/replies/{rid}", headers=who)).json()
            return got if got["status"] in ("sent", "failed") else None

        reply = await wait_for(done, timeout=20, what="the Bluesky reply to finish")
    assert reply is not None and reply["status"] == "sent", reply
    [made_record] = served.fake.objects("bluesky")
    assert reply["platform_reply_id"] == made_record["uri"]
    assert len(served.fake.calls(CREATE)) == 1  # found by the thread look-up, not posted again
    assert reply["history"][-1]["data"]["reconciled"] is True
