"""Every outbound adapter against a real local HTTP fake: the request exactly as each platform
documents it, the documented success body, and timeouts, 429 + Retry-After, 5xx and 4xx."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import SENDERS

from services.responder.tests.responder_fake_platform import FakePlatform, Scripted, ServedFake

TOKEN = "tok-123"


@pytest.fixture
def served():
    with ServedFake(FakePlatform()) as s:
        yield s


def _reply(adapter: str, **kw) -> OutboundReply:
    base: dict[str, Any] = {
        "reply_id": "r-1",
        "idempotency_key": "idem-key-1",
        "adapter": adapter,
        "visibility": "public",
        "mode": "create",
        "text": "Thanks, we are on it!",
        "post_native_id": "111",
        "post_kind": "comment",
        "post_url": None,
        "parent_native_id": None,
        "author_id": "cust-1",
        "author_handle": "customer",
    }
    base.update(kw)
    return OutboundReply(**base)


def _channel(served, adapter: str, channel: str = "brand", **options) -> Channel:
    return Channel(adapter, channel, served.base_url, options, {"access_token": TOKEN})


# Each case: adapter, reply overrides, channel options, expected method, path, check(recorded), result id check
CASES = {
    "x": ("POST", "/2/tweets"),
    "facebook": ("POST", "/v21.0/111/comments"),
    "messenger": ("POST", "/v21.0/me/messages"),
    "instagram": ("POST", "/v21.0/111/replies"),
    "whatsapp": ("POST", "/v21.0/15550001111/messages"),
    "google_business": ("PUT", "/v4/accounts/1/locations/2/reviews/111/reply"),
    "youtube": ("POST", "/youtube/v3/comments"),
    "reddit": ("POST", "/api/comment"),
    "mastodon": ("POST", "/api/v1/statuses"),
}


def _setup(served, adapter: str) -> tuple[OutboundReply, Channel]:
    reply = _reply(adapter)
    channel = _channel(served, adapter)
    if adapter == "whatsapp":
        reply = replace(reply, post_native_id="wamid.IN1", post_kind="dm", visibility="private")
        channel = _channel(served, adapter, channel="15550001111")
    elif adapter == "messenger":
        reply = replace(reply, post_kind="dm", visibility="private", author_id="psid-9")
    elif adapter == "google_business":
        reply = replace(reply, post_kind="review")
        channel = _channel(served, adapter, channel="accounts/1/locations/2")
    elif adapter == "reddit":
        channel = _channel(served, adapter, channel="brandbot", username="brandbot")
    elif adapter == "facebook":
        channel = _channel(served, adapter, channel="page-1")
    elif adapter == "youtube":
        channel = _channel(served, adapter, channel_id="UCbrand")
    return reply, channel


def _check_request(adapter: str, rec, reply: OutboundReply) -> None:
    assert rec.headers["authorization"].lower() == f"bearer {TOKEN}"
    if adapter == "x":
        assert rec.headers["content-type"] == "application/json"
        assert rec.json() == {"text": reply.text, "reply": {"in_reply_to_tweet_id": "111"}}
    elif adapter in ("facebook", "instagram"):
        assert rec.headers["content-type"] == "application/x-www-form-urlencoded"
        assert rec.form() == {"message": reply.text}
    elif adapter == "messenger":
        assert rec.json() == {
            "recipient": {"id": "psid-9"},
            "messaging_type": "RESPONSE",
            "message": {"text": reply.text},
        }
    elif adapter == "whatsapp":
        assert rec.json() == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "cust-1",
            "context": {"message_id": "wamid.IN1"},
            "type": "text",
            "text": {"preview_url": False, "body": reply.text},
            "biz_opaque_callback_data": "idem-key-1",
        }
    elif adapter == "google_business":
        assert rec.json() == {"comment": reply.text}
    elif adapter == "youtube":
        assert rec.query == {"part": "snippet"}
        assert rec.json() == {"snippet": {"parentId": "111", "textOriginal": reply.text}}
    elif adapter == "reddit":
        assert rec.headers["content-type"] == "application/x-www-form-urlencoded"
        assert rec.headers["authorization"] == f"bearer {TOKEN}"
        assert rec.headers["user-agent"].startswith("server:chorus-responder")
        assert rec.form() == {"api_type": "json", "thing_id": "t1_111", "text": reply.text}
    elif adapter == "mastodon":
        assert rec.headers["idempotency-key"] == "idem-key-1"
        assert rec.json() == {"status": reply.text, "in_reply_to_id": "111", "visibility": "public"}


@pytest.mark.unit
@pytest.mark.parametrize("adapter", sorted(CASES))
async def test_adapter_sends_the_documented_request_and_reads_the_documented_answer(
    served, adapter
) -> None:
    reply, channel = _setup(served, adapter)
    async with httpx.AsyncClient(timeout=5) as http:
        delivered = await SENDERS[adapter].send(reply, channel, http)
        method, path = CASES[adapter]
        recs = served.fake.calls(f"{method} {path}")
        assert len(recs) == 1, served.fake.requests
        _check_request(adapter, recs[0], reply)
        assert delivered.platform_reply_id
        if adapter == "x":
            assert delivered.url == f"https://x.com/i/web/status/{delivered.platform_reply_id}"
        if adapter == "reddit":
            assert delivered.platform_reply_id.startswith("t1_")
            assert (delivered.url or "").startswith("https://www.reddit.com/r/brand/comments/")
        if adapter == "mastodon":
            assert delivered.url == f"https://social.example/@brand/{delivered.platform_reply_id}"
        # Reconciliation finds what was created (or, for WhatsApp, admits it cannot).
        found = await SENDERS[adapter].find(reply, channel, http)
        if SENDERS[adapter].reconcile == "none":
            assert found is None
        else:
            assert found is not None and found.platform_reply_id == delivered.platform_reply_id


ERRORS = {
    "x": (
        401,
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
        "Unauthorized",
    ),
    "facebook": (
        400,
        {
            "error": {
                "message": "(#100) Object does not exist",
                "type": "OAuthException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "A1",
            }
        },
        "Object does not exist",
    ),
    "messenger": (
        400,
        {
            "error": {
                "message": "(#551) This person isn't available right now.",
                "type": "OAuthException",
                "code": 551,
                "error_subcode": 1545041,
                "fbtrace_id": "A2",
            }
        },
        "isn't available",
    ),
    "instagram": (
        400,
        {
            "error": {
                "message": "Invalid OAuth access token.",
                "type": "OAuthException",
                "code": 190,
                "fbtrace_id": "A3",
            }
        },
        "Invalid OAuth",
    ),
    "whatsapp": (
        400,
        {
            "error": {
                "message": "(#131030) Recipient phone number not in allowed list",
                "type": "OAuthException",
                "code": 131030,
                "fbtrace_id": "A4",
            }
        },
        "not in allowed list",
    ),
    "google_business": (
        404,
        {
            "error": {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
            }
        },
        "not found",
    ),
    "youtube": (
        403,
        {
            "error": {
                "code": 403,
                "message": "The video has disabled comments.",
                "errors": [{"reason": "commentsDisabled", "domain": "youtube.commentThread"}],
            }
        },
        "disabled comments",
    ),
    "reddit": (403, {"message": "Forbidden", "error": 403}, "Forbidden"),
    "mastodon": (404, {"error": "Record not found"}, "Record not found"),
}


@pytest.mark.unit
@pytest.mark.parametrize("adapter", sorted(ERRORS))
async def test_adapter_turns_platform_errors_into_transient_or_permanent_outcomes(
    served, adapter
) -> None:
    reply, channel = _setup(served, adapter)
    method, path = CASES[adapter]
    key = f"{method} {path}"
    status, body, reason = ERRORS[adapter]
    served.fake.script(
        key,
        Scripted(status=429, body={"error": "slow down"}, headers={"Retry-After": "7"}),
        Scripted(status=503, body={"error": {"message": "Service Unavailable"}}),
        Scripted(delay=0.6),
        Scripted(status=status, body=body),
    )
    async with httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(TransientSendError) as limited:
            await SENDERS[adapter].send(reply, channel, http)
        assert limited.value.code == "rate_limited" and limited.value.retry_after == 7.0
        assert not limited.value.ambiguous

        with pytest.raises(TransientSendError) as unavailable:
            await SENDERS[adapter].send(reply, channel, http)
        assert unavailable.value.code == "http_503" and unavailable.value.ambiguous

        with pytest.raises(TransientSendError) as slow:
            await SENDERS[adapter].send(reply, channel, http)
        assert slow.value.code == "timeout" and slow.value.ambiguous

        with pytest.raises(PermanentSendError) as refused:
            await SENDERS[adapter].send(reply, channel, http)
        assert reason.lower() in str(refused.value).lower()
        assert refused.value.status == status


@pytest.mark.unit
async def test_reddit_refusal_inside_a_200_answer_is_a_permanent_failure(served) -> None:
    reply, channel = _setup(served, "reddit")
    served.fake.script(
        "POST /api/comment",
        Scripted(
            body={
                "json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}
            }
        ),
    )
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(PermanentSendError) as exc:
            await SENDERS["reddit"].send(reply, channel, http)
    assert exc.value.code == "DELETED_COMMENT"
    assert "deleted" in str(exc.value)


@pytest.mark.unit
async def test_x_duplicate_refusal_resolves_to_the_post_already_made(served) -> None:
    reply, channel = _setup(served, "x")
    async with httpx.AsyncClient(timeout=5) as http:
        first = await SENDERS["x"].send(reply, channel, http)
        again = await SENDERS["x"].send(reply, channel, http)
    assert again.platform_reply_id == first.platform_reply_id
    assert len(served.fake.objects("x")) == 1
    search = served.fake.calls("GET /2/tweets/search/recent")[0]
    assert search.query["query"] == "in_reply_to_tweet_id:111 from:brand"


@pytest.mark.unit
async def test_mastodon_direct_message_is_answered_privately_with_a_mention(served) -> None:
    reply = replace(_reply("mastodon"), visibility="private", post_kind="dm")
    async with httpx.AsyncClient(timeout=5) as http:
        await SENDERS["mastodon"].send(reply, _channel(served, "mastodon"), http)
    body = served.fake.calls("POST /api/v1/statuses")[0].json()
    assert body["visibility"] == "direct"
    assert body["status"].startswith("@customer ")


@pytest.mark.unit
async def test_youtube_reply_to_a_reply_goes_under_the_top_level_comment(served) -> None:
    reply = replace(
        _reply("youtube"), post_kind="reply", post_native_id="Ug.child", parent_native_id="Ugtop"
    )
    async with httpx.AsyncClient(timeout=5) as http:
        await SENDERS["youtube"].send(reply, _channel(served, "youtube"), http)
    assert (
        served.fake.calls("POST /youtube/v3/comments")[0].json()["snippet"]["parentId"] == "Ugtop"
    )


@pytest.mark.unit
async def test_google_review_reply_is_replaced_not_duplicated(served) -> None:
    reply, channel = _setup(served, "google_business")
    async with httpx.AsyncClient(timeout=5) as http:
        await SENDERS["google_business"].send(reply, channel, http)
        await SENDERS["google_business"].send(
            replace(reply, text="Edited answer", mode="update"), channel, http
        )
    assert served.fake.objects("google_business") == [{"review": "111", "comment": "Edited answer"}]


@pytest.mark.unit
async def test_form_bodies_are_urlencoded_exactly(served) -> None:
    reply = replace(_reply("reddit"), text="a&b=c ünïcode")
    channel = _channel(served, "reddit", channel="brandbot", username="brandbot")
    async with httpx.AsyncClient(timeout=5) as http:
        await SENDERS["reddit"].send(reply, channel, http)
    raw = served.fake.calls("POST /api/comment")[0].body.decode()
    assert parse_qs(raw)["text"] == ["a&b=c ünïcode"]
