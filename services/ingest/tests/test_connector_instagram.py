"""Instagram: comments/mentions/messages webhooks, Graph IG comments, signature and handshake."""

from __future__ import annotations

import json

import pytest
from chorus_platforms.instagram.inbound import InstagramConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, raw
from services.ingest.tests.handmade_instagram import HANDMADE_GRAPH_COMMENTS, HANDMADE_WEBHOOK
from services.ingest.tests.social_kit import (
    META_SECRETS,
    VERIFY_TOKEN,
    assert_clean,
    hostile,
    meta_headers,
)

pytestmark = pytest.mark.unit
IG = InstagramConnector()
ACCOUNT = "17841405309211844"
MEDIA = "18172143295349192"


def test_instagram_is_registered() -> None:
    assert isinstance(CONNECTORS["instagram"], InstagramConnector)


def test_comment_reply_and_dm_notifications_map_every_canonical_field() -> None:
    result = IG.normalize(raw(HANDMADE_WEBHOOK))
    comment, reply, own, dm = (canonical(p) for p in result.posts)
    assert comment == expected(
        id="instagram:17919697626119712",
        platform="instagram",
        channel=ACCOUNT,
        kind="comment",
        native_id="17919697626119712",
        thread_id=f"instagram:{MEDIA}",
        in_reply_to=f"instagram:{MEDIA}",
        author={
            "id": "232323232",
            "handle": "ines.travels",
            "url": "https://www.instagram.com/ines.travels/",
        },
        text="Le cappuccino était incroyable ☕️✨ @choruscafe #paris",
        created_at="2025-08-21T12:28:00Z",  # the notification's entry.time: comments carry none
    )
    assert reply == expected(
        id="instagram:17919697626119799",
        platform="instagram",
        channel=ACCOUNT,
        kind="reply",
        native_id="17919697626119799",
        thread_id=f"instagram:{MEDIA}",
        in_reply_to="instagram:17919697626119712",
        author={"id": "454545454", "handle": "tom_k", "url": "https://www.instagram.com/tom_k/"},
        text="@ines.travels agreed!!",
        created_at="2025-08-21T12:28:00Z",
    )
    # the brand's own reply is brand activity, never dropped
    assert own == expected(
        id="instagram:17919697626119800",
        platform="instagram",
        channel=ACCOUNT,
        kind="reply",
        native_id="17919697626119800",
        thread_id=f"instagram:{MEDIA}",
        in_reply_to="instagram:17919697626119712",
        author={
            "id": ACCOUNT,
            "handle": "choruscafe",
            "url": "https://www.instagram.com/choruscafe/",
        },
        text="Merci Inès !",
        created_at="2025-08-21T12:28:00Z",
        from_brand=True,
    )
    assert dm == expected(
        id="instagram:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1MzA5MjExODQ0",
        platform="instagram",
        channel=ACCOUNT,
        kind="dm",
        native_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1MzA5MjExODQ0",
        thread_id=f"instagram:{ACCOUNT}:6311234567890123",
        author={"id": "6311234567890123"},
        text="Do you deliver to Lyon?",
        created_at="2025-08-21T12:28:01Z",
    )


def test_an_ids_only_mention_becomes_a_read_of_the_mentioned_comment() -> None:
    result = IG.normalize(raw(HANDMADE_WEBHOOK))
    assert result.errors == [] and result.skipped == []
    (fetch,) = result.fetches
    assert (fetch.index, fetch.native_id, fetch.token) == (3, "17894227972186120", "access_token")
    assert (fetch.base, fetch.path) == ("https://graph.facebook.com", f"v21.0/{ACCOUNT}")
    assert fetch.params == {
        "fields": "mentioned_comment.comment_id(17894227972186120)"
        "{id,text,timestamp,like_count,media}"
    }
    assert fetch.raw["value"]["media_id"] == "17920238422030506"


def test_graph_comments_and_nested_replies_thread_on_the_media() -> None:
    result = IG.normalize(raw(HANDMADE_GRAPH_COMMENTS, channel=ACCOUNT))
    assert result.errors == []
    first, reply, second = (canonical(p) for p in result.posts)
    assert first == expected(
        id="instagram:17870913679156914",
        platform="instagram",
        channel=ACCOUNT,
        kind="comment",
        native_id="17870913679156914",
        thread_id="instagram:17895695668004550",
        in_reply_to="instagram:17895695668004550",
        author={
            "id": "17841400000000001",
            "handle": "jayposiris",
            "url": "https://www.instagram.com/jayposiris/",
        },
        text="This is awesome! 😍",
        created_at="2017-08-31T19:16:02Z",
        metrics={"likes": 7, "shares": 0, "replies": 0, "views": 0},
    )
    assert (reply["kind"], reply["in_reply_to"], reply["thread_id"]) == (
        "reply",
        "instagram:17870913679156914",
        "instagram:17895695668004550",
    )
    assert second["native_id"] == "17873440459141099"


def test_graph_comment_without_media_field_is_read_again_with_it() -> None:
    doc = json.loads(HANDMADE_GRAPH_COMMENTS)
    del doc["data"][1]["media"]
    doc["data"][0]["replies"]["data"].append(7)
    result = IG.normalize(raw(doc, channel=ACCOUNT))
    assert [p.native_id for p in result.posts] == ["17870913679156914", "17873440459141021"]
    assert [(e.code, e.index, e.field) for e in result.errors] == [
        ("missing_field", 2, "data[0].replies.data[1].id"),
    ]
    assert [(f.index, f.path) for f in result.fetches] == [(3, "v21.0/17873440459141099")]


def test_graph_pages_need_the_account_and_unknown_shapes_are_refused() -> None:
    with pytest.raises(NormalizeError) as info:
        IG.normalize(raw(HANDMADE_GRAPH_COMMENTS))
    assert info.value.code == "missing_channel"
    for body in (b"[1]", b'{"object": "page", "entry": []}', b'{"hello": 1}', b"\xff\xfe"):
        with pytest.raises(NormalizeError):
            IG.normalize(raw(body, channel=ACCOUNT))


def test_signature_valid_missing_wrong_and_replayed() -> None:
    body = HANDMADE_WEBHOOK
    IG.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    IG.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)  # replay: dedup's job
    with pytest.raises(SignatureError) as missing:
        IG.verify(raw(body), META_SECRETS, NOW)
    assert missing.value.status == 401
    with pytest.raises(SignatureError) as wrong:
        IG.verify(raw(body, headers=meta_headers(body, "other")), META_SECRETS, NOW)
    assert wrong.value.status == 403


def test_handshake_echoes_the_challenge_only_for_the_verify_token() -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "CHAL", "hub.verify_token": VERIFY_TOKEN}
    assert IG.handshake(good, META_SECRETS).body == b"CHAL"  # type: ignore[union-attr]
    assert IG.handshake({**good, "hub.verify_token": ""}, META_SECRETS).status == 403  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_WEBHOOK)))
def test_hostile_instagram_webhooks_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(IG, raw(body))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_GRAPH_COMMENTS)))
def test_hostile_ig_comment_pages_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(IG, raw(body, channel=ACCOUNT))
