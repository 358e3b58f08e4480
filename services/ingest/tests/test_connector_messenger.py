"""Messenger: entry[].messaging[] message events under the messenger slug, signature, handshake."""

from __future__ import annotations

import json

import pytest
from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.messenger.inbound import MessengerConnector
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, raw
from services.ingest.tests.handmade_messenger import HANDMADE_MESSAGES_WEBHOOK
from services.ingest.tests.social_kit import (
    META_SECRETS,
    VERIFY_TOKEN,
    assert_clean,
    hostile,
    meta_headers,
)

pytestmark = pytest.mark.unit
MS = MessengerConnector()
PAGE = "682498302938465"
PSID = "6783512455012345"
THREAD = f"messenger:{PAGE}:{PSID}"


def _dm(native: str, created_at: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": f"messenger:{native}",
        "platform": "messenger",
        "channel": PAGE,
        "kind": "dm",
        "native_id": native,
        "thread_id": THREAD,
        "author": {"id": PSID},
        "text": "hello, world!",
        "created_at": created_at,
    }
    base.update(fields)
    return expected(**base)


def test_messenger_is_registered_under_its_own_slug() -> None:
    assert isinstance(CONNECTORS["messenger"], MessengerConnector)
    assert MS.platform == "messenger"


def test_documented_message_events_map_every_canonical_field() -> None:
    result = MS.normalize(raw(HANDMADE_MESSAGES_WEBHOOK))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        _dm("mid.1457764197618:41d102a3e1ae206a38", "2016-03-23T00:25:52.478000Z"),
        _dm(
            "m_1457764197618:41d102a3e1ae206a38",
            "2016-03-23T00:25:52.999000Z",
            in_reply_to="messenger:m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU",
        ),
        _dm(
            "mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
            "2018-02-12T23:46:35.308000Z",
            text="",
            media=[
                {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/receipt.png"}
            ],
        ),
        # the page's own message (echo): brand activity in the same conversation
        _dm(
            "m_echo0001",
            "2018-02-12T23:46:36Z",
            author={"id": PAGE},
            text="Thanks, we are looking into it.",
            from_brand=True,
        ),
    ]
    assert [(k.code, k.index) for k in result.skipped] == [("receipt", 4)]


def test_the_facebook_slug_normalizes_the_same_messenger_events_identically() -> None:
    body = raw(HANDMADE_MESSAGES_WEBHOOK)
    assert [canonical(p) for p in FacebookConnector().normalize(body).posts] == [
        canonical(p) for p in MS.normalize(body).posts
    ]


def test_postbacks_and_message_edits_are_dms_and_edits_reuse_the_message_id() -> None:
    doc = json.loads(HANDMADE_MESSAGES_WEBHOOK)
    doc["entry"][0]["messaging"] = [
        {
            "sender": {"id": PSID},
            "recipient": {"id": PAGE},
            "timestamp": 1700000000000,
            "postback": {"title": "Track my order", "payload": "TRACK", "mid": "m_postback1"},
        },
        {
            "sender": {"id": PSID},
            "recipient": {"id": PAGE},
            "timestamp": 1700000001000,
            "message_edit": {
                "mid": "m_1457764197618:41d102a3e1ae206a38",
                "text": "hello, wörld!",
                "num_edit": 1,
            },
        },
    ]
    result = MS.normalize(raw(doc))
    assert [(p.native_id, p.text) for p in result.posts] == [
        ("m_postback1", "Track my order"),
        ("m_1457764197618:41d102a3e1ae206a38", "hello, wörld!"),
    ]


def test_one_bad_event_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_MESSAGES_WEBHOOK)
    del doc["entry"][0]["messaging"][1]["sender"]
    doc["entry"][0]["messaging"][2]["timestamp"] = "tomorrow"
    result = MS.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == [
        "mid.1457764197618:41d102a3e1ae206a38",
        "m_echo0001",
    ]
    assert [(e.code, e.index, e.field) for e in result.errors] == [
        ("missing_field", 1, "entry[0].messaging[1].sender.id"),
        ("invalid_time", 2, "entry[0].messaging[2].timestamp"),
    ]


def test_a_non_page_envelope_is_not_understood() -> None:
    with pytest.raises(NormalizeError) as info:
        MS.normalize(raw({"object": "whatsapp_business_account", "entry": []}))
    assert (info.value.code, info.value.field) == ("wrong_object", "object")


def test_signature_valid_missing_wrong_and_replayed() -> None:
    body = HANDMADE_MESSAGES_WEBHOOK
    MS.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    MS.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)  # replay: dedup's job
    with pytest.raises(SignatureError) as missing:
        MS.verify(raw(body), META_SECRETS, NOW)
    assert missing.value.status == 401
    with pytest.raises(SignatureError) as wrong:
        MS.verify(raw(body + b"\n", headers=meta_headers(body)), META_SECRETS, NOW)
    assert wrong.value.status == 403


def test_handshake_echoes_the_challenge_only_for_the_verify_token() -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": VERIFY_TOKEN}
    assert MS.handshake(good, META_SECRETS).body == b"42"  # type: ignore[union-attr]
    bad = {**good, "hub.verify_token": VERIFY_TOKEN + "x"}
    assert MS.handshake(bad, META_SECRETS).status == 403  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_MESSAGES_WEBHOOK)))
def test_hostile_messenger_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(MS, raw(body))
