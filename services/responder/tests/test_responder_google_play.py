"""The Google Play sender against a local fake of the Play API and of Google's token endpoint:
the service-account grant, the documented reply call, one reply per review, the seven-day
window and the error mapping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import orjson
import pytest
from chorus_platforms.google_play.sender import GooglePlaySender
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import PLATFORMS, SENDERS
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.responder.tests.responder_fake_platform import Scripted, ServedFake
from services.responder.tests.responder_fake_play import SCOPE, FakePlay

pytestmark = pytest.mark.unit
APP = "com.example.app"
EMAIL = "chorus@example-project.iam.gserviceaccount.com"
KID = "0123456789abcdef"
REPLY_PATH = f"/androidpublisher/v3/applications/{APP}/reviews/111:reply"


def _pem(key: rsa.RSAPrivateKey, public: bool = False) -> str:
    if public:
        return (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def served():
    fake = FakePlay(_pem(KEY, public=True), KID, EMAIL)
    with ServedFake(fake) as s:
        fake.token_url = f"{s.base_url}/token"
        fake.reviews["111"] = datetime.now(UTC) - timedelta(days=2)
        yield s


def _key_file(served, key: rsa.RSAPrivateKey = KEY) -> str:
    return orjson.dumps(
        {
            "type": "service_account",
            "client_email": EMAIL,
            "private_key_id": KID,
            "private_key": _pem(key),
            "token_uri": f"{served.base_url}/token",
        }
    ).decode()


def _channel(served, **credentials: str) -> Channel:
    creds = credentials or {"service_account_json": _key_file(served)}
    return Channel("google_play", APP, served.base_url, {}, creds)


def _reply(text: str = "Thanks, a fix ships on Monday.") -> OutboundReply:
    return OutboundReply(
        reply_id="r-1",
        idempotency_key="idem-1",
        adapter="google_play",
        visibility="public",
        mode="create",
        text=text,
        post_native_id="111",
        post_kind="review",
        post_url=None,
        parent_native_id=None,
        author_id="A user",
        author_handle=None,
    )


async def _send(
    served,
    reply: OutboundReply | None = None,
    channel: Channel | None = None,
    sender: GooglePlaySender | None = None,
):
    async with httpx.AsyncClient(timeout=5) as http:
        return await (sender or GooglePlaySender()).send(
            reply or _reply(), channel or _channel(served), http
        )


def test_google_play_takes_one_editable_reply_of_350_characters() -> None:
    platform = PLATFORMS["google_play"]
    assert platform.single_reply is True
    assert platform.limit is not None and platform.limit.maximum == 350
    assert platform.replies["review"].adapter == "google_play"
    assert isinstance(SENDERS["google_play"], GooglePlaySender)


async def test_service_account_grant_then_the_documented_reply_call(served) -> None:
    delivered = await _send(served)
    assert delivered.platform_reply_id == "111/reply"
    [grant] = served.fake.calls("POST /token")
    form = grant.form()
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    header = jwt.get_unverified_header(form["assertion"])
    assert (header["alg"], header["kid"]) == ("RS256", KID)
    claims = jwt.decode(form["assertion"], options={"verify_signature": False})
    assert (claims["iss"], claims["scope"], claims["aud"]) == (EMAIL, SCOPE, served.fake.token_url)
    [post] = served.fake.calls(f"POST {REPLY_PATH}")
    assert post.headers["authorization"] == "Bearer ya29.fake-token"
    assert post.json() == {"replyText": "Thanks, a fix ships on Monday."}
    # The review was read first (its age), with the same token.
    assert [r.method for r in served.fake.requests] == ["POST", "GET", "POST"]


async def test_the_token_is_reused_until_it_expires(served) -> None:
    sender = GooglePlaySender()
    await _send(served, sender=sender)
    await _send(served, _reply("Edited answer"), sender=sender)
    assert served.fake.tokens_issued == 1


async def test_a_second_reply_replaces_the_first(served) -> None:
    await _send(served)
    await _send(served, replace(_reply("Edited answer"), mode="update"))
    assert served.fake.objects("google_play") == [{"review": "111", "replyText": "Edited answer"}]
    async with httpx.AsyncClient(timeout=5) as http:
        found = await SENDERS["google_play"].find(_reply("Edited answer"), _channel(served), http)
        missing = await SENDERS["google_play"].find(_reply("Other"), _channel(served), http)
    assert found is not None and found.platform_reply_id == "111/reply"
    assert missing is None


@pytest.mark.parametrize("age", [timedelta(days=8), None])
async def test_a_review_outside_the_seven_day_window_is_refused_before_replying(
    served, age: timedelta | None
) -> None:
    if age is None:
        del served.fake.reviews["111"]  # the API no longer shows it: 404
    else:
        served.fake.reviews["111"] = datetime.now(UTC) - age
    with pytest.raises(PermanentSendError) as info:
        await _send(served)
    assert info.value.code == "reply_window_closed"
    assert "7 days" in str(info.value) and "Play Console" in str(info.value)
    assert served.fake.calls(f"POST {REPLY_PATH}") == []


async def test_rate_limit_is_transient_with_retry_after(served) -> None:
    body = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}
    served.fake.script(f"POST {REPLY_PATH}", Scripted(429, body, {"Retry-After": "30"}))
    with pytest.raises(TransientSendError) as info:
        await _send(served)
    assert (info.value.code, info.value.retry_after) == ("rate_limited", 30.0)


async def test_server_errors_are_transient_and_bad_requests_permanent(served) -> None:
    served.fake.script(f"POST {REPLY_PATH}", Scripted(503, {"error": {"code": 503}}))
    with pytest.raises(TransientSendError) as info:
        await _send(served)
    assert info.value.code == "http_503" and info.value.ambiguous
    bad = {"error": {"code": 400, "message": "Bad Reply Request", "status": "INVALID_ARGUMENT"}}
    served.fake.script(f"POST {REPLY_PATH}", Scripted(400, bad))
    with pytest.raises(PermanentSendError) as refused:
        await _send(served)
    assert refused.value.code == "INVALID_ARGUMENT"


async def test_a_key_the_token_endpoint_refuses_is_an_auth_failure(served) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    channel = _channel(served, service_account_json=_key_file(served, other))
    with pytest.raises(PermanentSendError) as info:
        await _send(served, channel=channel)
    assert info.value.code == "auth_failed" and "invalid_grant" in str(info.value)


async def test_an_access_token_credential_is_used_as_is(served) -> None:
    await _send(served, channel=_channel(served, access_token="tok-123"))
    assert served.fake.calls("POST /token") == []
    [post] = served.fake.calls(f"POST {REPLY_PATH}")
    assert post.headers["authorization"] == "Bearer tok-123"


async def test_too_long_replies_and_broken_key_files_are_refused_without_a_call(served) -> None:
    with pytest.raises(PermanentSendError) as long:
        await _send(served, _reply("x" * 351))
    assert long.value.code == "too_long"
    with pytest.raises(PermanentSendError) as broken:
        await _send(served, channel=_channel(served, service_account_json="{}"))
    assert broken.value.code == "channel_not_configured"
    assert served.fake.requests == []
