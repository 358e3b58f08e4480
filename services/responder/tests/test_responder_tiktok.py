"""The TikTok sender against a local fake of the API for Business: the documented reply call
with the Access-Token header, replies to replies, the look-up and the error mapping (TikTok
errors come inside HTTP 200 bodies)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import PLATFORMS, SENDERS
from chorus_platforms.tiktok.sender import TikTokSender

from services.responder.tests.responder_fake_platform import Scripted, ServedFake
from services.responder.tests.responder_fake_tiktok import API, TOKEN, FakeTikTok

pytestmark = pytest.mark.unit
VIDEO = "7109065174526479622"
COMMENT = "7111907185164763905"
CREATE = f"POST {API}/comment/reply/create/"


@pytest.fixture
def served():
    with ServedFake(FakeTikTok()) as s:
        yield s


def _channel(served, token: str = TOKEN) -> Channel:
    return Channel("tiktok", "business-1", served.base_url, {}, {"access_token": token})


def _reply(text: str = "Thanks for watching!", **kw: str | None) -> OutboundReply:
    base = OutboundReply(
        reply_id="r-1",
        idempotency_key="idem-1",
        adapter="tiktok",
        visibility="public",
        mode="create",
        text=text,
        post_native_id=f"{VIDEO}:{COMMENT}",
        post_kind="comment",
        post_url=None,
        parent_native_id=VIDEO,
        author_id="klein",
        author_handle="klein_kunkun",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


async def _send(served, reply: OutboundReply | None = None, channel: Channel | None = None):
    async with httpx.AsyncClient(timeout=5) as http:
        return await TikTokSender().send(reply or _reply(), channel or _channel(served), http)


def test_tiktok_replies_in_public_to_comments_and_replies_within_150_characters() -> None:
    platform = PLATFORMS["tiktok"]
    assert isinstance(SENDERS["tiktok"], TikTokSender)
    assert {k: r.visibility for k, r in platform.replies.items()} == {
        "comment": "public",
        "reply": "public",
    }
    assert platform.limit is not None and platform.limit.maximum == 150


async def test_the_documented_reply_call_with_the_access_token_header(served) -> None:
    delivered = await _send(served)
    [post] = served.fake.calls(CREATE)
    assert post.headers["access-token"] == TOKEN and "authorization" not in post.headers
    assert post.json() == {
        "business_id": "business-1",
        "video_id": VIDEO,
        "comment_id": COMMENT,
        "text": "Thanks for watching!",
    }
    [made] = served.fake.objects("tiktok")
    assert delivered.platform_reply_id == f"{VIDEO}:{made['comment_id']}"


async def test_a_reply_to_a_reply_goes_under_the_comment_it_answers(served) -> None:
    reply = _reply(
        post_native_id=f"{VIDEO}:7115302925501563650",
        post_kind="reply",
        parent_native_id=f"{VIDEO}:{COMMENT}",
    )
    await _send(served, reply)
    [post] = served.fake.calls(CREATE)
    assert (post.json()["video_id"], post.json()["comment_id"]) == (VIDEO, COMMENT)


async def test_find_lists_the_comments_replies_and_matches_the_brands_own(served) -> None:
    sent = await _send(served)
    async with httpx.AsyncClient(timeout=5) as http:
        found = await TikTokSender().find(_reply(), _channel(served), http)
        other = await TikTokSender().find(_reply("Something else"), _channel(served), http)
    assert found == sent and other is None
    listed = served.fake.calls(f"GET {API}/comment/reply/list/")[0]
    assert listed.query == {
        "business_id": "business-1",
        "video_id": VIDEO,
        "comment_id": COMMENT,
        "max_count": "30",
    }


async def test_a_bad_token_answered_inside_a_200_is_permanent(served) -> None:
    with pytest.raises(PermanentSendError) as info:
        await _send(served, channel=_channel(served, token="expired"))
    assert info.value.code == "token_invalid" and "40105" in str(info.value)


async def test_rate_limits_are_transient_whether_in_the_body_or_the_status(served) -> None:
    too_many = {"code": 40100, "message": "Too many requests.", "request_id": "x", "data": {}}
    served.fake.script(CREATE, Scripted(200, too_many))
    with pytest.raises(TransientSendError) as body_limit:
        await _send(served)
    assert (body_limit.value.code, body_limit.value.retry_after) == ("rate_limited", 60.0)
    served.fake.script(CREATE, Scripted(429, {"message": "slow down"}, {"Retry-After": "7"}))
    with pytest.raises(TransientSendError) as status_limit:
        await _send(served)
    assert (status_limit.value.code, status_limit.value.retry_after) == ("rate_limited", 7.0)


async def test_tiktok_system_errors_are_transient_and_bad_requests_permanent(served) -> None:
    busy = {"code": 50002, "message": "System error", "request_id": "x", "data": {}}
    served.fake.script(CREATE, Scripted(200, busy))
    with pytest.raises(TransientSendError) as info:
        await _send(served)
    assert info.value.code == "tiktok_50002" and info.value.ambiguous
    bad = {"code": 40002, "message": "Invalid comment_id", "request_id": "x", "data": {}}
    served.fake.script(CREATE, Scripted(200, bad))
    with pytest.raises(PermanentSendError) as refused:
        await _send(served)
    assert refused.value.code == "tiktok_40002"


async def test_a_native_id_without_its_video_is_refused_without_a_call(served) -> None:
    with pytest.raises(PermanentSendError) as info:
        await _send(served, _reply(post_native_id=COMMENT, parent_native_id=None))
    assert info.value.code == "invalid_target"
    assert served.fake.requests == []
