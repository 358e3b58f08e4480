"""WhatsApp Business Cloud API webhooks: documented messages, statuses ignored, signature."""

from __future__ import annotations

import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS
from chorus_platforms.whatsapp.inbound import WhatsAppConnector
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.handmade_whatsapp import HANDMADE_MIXED_MESSAGES
from services.ingest.tests.social_kit import (
    META_SECRETS,
    VERIFY_TOKEN,
    assert_clean,
    hostile,
    meta_headers,
)

pytestmark = pytest.mark.unit
WA = WhatsAppConnector()
PHONE = "106540352242922"
SHEENA = {"id": "16505551234", "display_name": "Sheena Nelson"}
JOSE = {"id": "34600111222", "display_name": "José Ñúñez"}


def _dm(
    native: str, author: dict[str, str], created_at: str, **fields: object
) -> dict[str, object]:
    return expected(
        id=f"whatsapp:{native}",
        platform="whatsapp",
        channel=PHONE,
        kind="dm",
        native_id=native,
        thread_id=f"whatsapp:{PHONE}:{author['id']}",
        author=author,
        created_at=created_at,
        **fields,
    )


def test_whatsapp_is_registered() -> None:
    assert isinstance(CONNECTORS["whatsapp"], WhatsAppConnector)


def test_documented_text_message_maps_every_canonical_field() -> None:
    result = WA.normalize(raw(fixture("whatsapp", "text_message.json")))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        _dm(
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            SHEENA,
            "2025-06-08T20:59:43Z",
            text="Does it come in another color?",
        )
    ]


def test_media_replies_reactions_locations_and_buttons_are_dms() -> None:
    result = WA.normalize(raw(HANDMADE_MIXED_MESSAGES))
    assert [canonical(p) for p in result.posts] == [
        _dm(
            "wamid.IMG001",
            SHEENA,
            "2025-06-08T21:00:00Z",
            text="The scratch on the lid 👇",
            media=[{"type": "image", "url": "https://graph.facebook.com/1003383421387256"}],
        ),
        _dm(
            "wamid.TXT002",
            JOSE,
            "2025-06-08T21:01:00Z",
            text="¿Y el reembolso? Ya pasó una semana…",
            in_reply_to="whatsapp:wamid.BUSINESS0001",
        ),
        _dm(
            "wamid.REACT003",
            SHEENA,
            "2025-06-08T21:01:40Z",
            text="👍",
            in_reply_to="whatsapp:wamid.BUSINESS0002",
        ),
        _dm(
            "wamid.LOC004",
            JOSE,
            "2025-06-08T21:02:00Z",
            text="Tienda Sol\nPuerta del Sol, Madrid",
            media=[{"type": "location", "url": "geo:40.4168,-3.7038"}],
        ),
        _dm("wamid.BTN005", SHEENA, "2025-06-08T21:02:20Z", text="Ask for a refund"),
    ]
    # the unsupported message is kept as a coded error; the statuses change is ignored
    assert [(e.code, e.index, e.native_id, e.field) for e in result.errors] == [
        ("unsupported_message", 5, "wamid.UNS006", "entry[0].changes[0].value.messages[5].type")
    ]


def test_status_only_deliveries_are_skipped_receipts_without_errors() -> None:
    doc = json.loads(HANDMADE_MIXED_MESSAGES)
    doc["entry"][0]["changes"] = doc["entry"][0]["changes"][1:]
    result = WA.normalize(raw(doc))
    assert result.posts == [] and result.errors == []
    assert [k.code for k in result.skipped] == ["status"]


def test_group_messages_thread_on_the_group() -> None:
    doc = fixture_json("whatsapp", "text_message.json")
    doc["entry"][0]["changes"][0]["value"]["messages"][0]["group_id"] = "120363040000000000"
    (post,) = WA.normalize(raw(doc)).posts
    assert post.thread_id == f"whatsapp:{PHONE}:120363040000000000"


def test_one_bad_message_or_change_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_MIXED_MESSAGES)
    messages = doc["entry"][0]["changes"][0]["value"]["messages"]
    messages[1]["timestamp"] = "1749416460.5"
    del messages[0]["image"]["id"]
    broken = {"field": "messages", "value": {"messages": [{"id": "wamid.X"}]}}
    doc["entry"][0]["changes"].append(broken)
    result = WA.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == [
        "wamid.REACT003",
        "wamid.LOC004",
        "wamid.BTN005",
    ]
    assert [(e.code, e.index, e.native_id) for e in result.errors] == [
        ("missing_field", 0, "wamid.IMG001"),
        ("invalid_time", 1, "wamid.TXT002"),
        ("unsupported_message", 5, "wamid.UNS006"),
        ("missing_field", 7, None),  # index 6: the status receipt, skipped
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        WA.normalize(raw(body))


def test_signature_valid_missing_wrong_and_replayed() -> None:
    body = fixture("whatsapp", "text_message.json")
    WA.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    WA.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)  # replay: dedup's job
    with pytest.raises(SignatureError) as missing:
        WA.verify(raw(body), META_SECRETS, NOW)
    assert missing.value.status == 401
    with pytest.raises(SignatureError) as wrong:
        WA.verify(
            raw(body.replace(b"color", b"colour"), headers=meta_headers(body)), META_SECRETS, NOW
        )
    assert wrong.value.status == 403


def test_handshake_echoes_the_challenge_only_for_the_verify_token() -> None:
    good = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": VERIFY_TOKEN,
    }
    assert WA.handshake(good, META_SECRETS).body == b"1158201444"  # type: ignore[union-attr]
    assert WA.handshake(good, {}).status == 403  # type: ignore[union-attr]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_MIXED_MESSAGES)))
def test_hostile_whatsapp_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(WA, raw(body))
