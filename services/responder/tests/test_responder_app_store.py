"""The App Store sender against a local fake of App Store Connect: the ES256 token the fake
verifies, the documented JSON:API request, one response per review and the error mapping."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from chorus_platforms.app_store.sender import AppStoreSender
from chorus_platforms.kit.outbound import (
    Channel,
    OutboundReply,
    PermanentSendError,
    TransientSendError,
)
from chorus_platforms.registry import PLATFORMS, SENDERS
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.responder.tests.responder_fake_app_store import FakeAppStore
from services.responder.tests.responder_fake_platform import Scripted, ServedFake

pytestmark = pytest.mark.unit
REVIEW = "00000028-b08c-0014-729e-fbd500000000"
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
KID = "2X9R4HXF34"


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@pytest.fixture
def served():
    fake = FakeAppStore(PUBLIC, KID, ISSUER)
    fake.reviews.add(REVIEW)
    with ServedFake(fake) as s:
        yield s


def _channel(served, **overrides: str) -> Channel:
    creds = {"issuer_id": ISSUER, "key_id": KID, "private_key": _pem(KEY), **overrides}
    return Channel("app_store", "682658836", served.base_url, {}, creds)


def _reply(text: str = "Thank you, Anne!") -> OutboundReply:
    return OutboundReply(
        reply_id="r-1",
        idempotency_key="idem-1",
        adapter="app_store",
        visibility="public",
        mode="create",
        text=text,
        post_native_id=REVIEW,
        post_kind="review",
        post_url=None,
        parent_native_id=None,
        author_id="Anne Johnson",
        author_handle=None,
    )


async def _send(served, reply: OutboundReply | None = None, channel: Channel | None = None):
    async with httpx.AsyncClient(timeout=5) as http:
        return await AppStoreSender().send(reply or _reply(), channel or _channel(served), http)


def test_app_store_takes_one_editable_response() -> None:
    platform = PLATFORMS["app_store"]
    assert isinstance(SENDERS["app_store"], AppStoreSender)
    assert platform.single_reply is True and platform.sender is not None
    assert platform.sender.reconcile == "idempotent"
    assert platform.limit is not None and platform.limit.maximum == 5970


async def test_the_documented_create_request_with_a_token_the_fake_verifies(served) -> None:
    delivered = await _send(served)
    [post] = served.fake.calls("POST /v1/customerReviewResponses")
    assert post.headers["content-type"] == "application/json"
    assert post.json() == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": "Thank you, Anne!"},
            "relationships": {"review": {"data": {"type": "customerReviews", "id": REVIEW}}},
        }
    }
    [claims] = served.fake.token_claims
    assert claims["aud"] == "appstoreconnect-v1" and claims["iss"] == ISSUER
    [made] = served.fake.objects("app_store")
    assert delivered.platform_reply_id == made["id"]


async def test_a_second_response_overwrites_the_first(served) -> None:
    first = await _send(served)
    second = await _send(served, replace(_reply("Fixed in 2.1, thanks!"), mode="update"))
    assert first.platform_reply_id == second.platform_reply_id
    [made] = served.fake.objects("app_store")
    assert made["responseBody"] == "Fixed in 2.1, thanks!"
    async with httpx.AsyncClient(timeout=5) as http:
        sender = AppStoreSender()
        found = await sender.find(_reply("Fixed in 2.1, thanks!"), _channel(served), http)
        stale = await sender.find(_reply("Thank you, Anne!"), _channel(served), http)
    assert found is not None and found.platform_reply_id == made["id"]
    assert stale is None


async def test_find_before_any_response_is_none(served) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        assert await AppStoreSender().find(_reply(), _channel(served), http) is None


async def test_a_token_of_another_key_or_key_id_is_refused(served) -> None:
    other = _pem(ec.generate_private_key(ec.SECP256R1()))
    for channel in (_channel(served, private_key=other), _channel(served, key_id="OTHERKEY1")):
        with pytest.raises(PermanentSendError) as info:
            await _send(served, channel=channel)
        assert info.value.code == "NOT_AUTHORIZED" and info.value.status == 401
    assert served.fake.objects("app_store") == []


async def test_a_key_that_is_not_a_p8_is_a_configuration_error(served) -> None:
    with pytest.raises(PermanentSendError) as info:
        await _send(served, channel=_channel(served, private_key="-----BEGIN nothing"))
    assert info.value.code == "channel_not_configured"
    assert served.fake.requests == []


async def test_rate_limit_is_transient_with_retry_after(served) -> None:
    limited = {"errors": [{"status": "429", "code": "RATE_LIMIT_EXCEEDED", "title": "Rate limit"}]}
    served.fake.script(
        "POST /v1/customerReviewResponses", Scripted(429, limited, {"Retry-After": "60"})
    )
    with pytest.raises(TransientSendError) as info:
        await _send(served)
    assert (info.value.code, info.value.retry_after) == ("rate_limited", 60.0)


async def test_an_unknown_review_is_a_permanent_entity_error(served) -> None:
    with pytest.raises(PermanentSendError) as info:
        await _send(served, replace(_reply(), post_native_id="no-such-review"))
    assert info.value.code == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert "invalid value" in str(info.value)
