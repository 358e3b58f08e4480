"""X: v2 tweet responses and Account Activity webhooks, CRC and webhook signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS
from chorus_platforms.x.inbound import XConnector
from hypothesis import HealthCheck, given, settings

from services.ingest.tests import handmade_x as hm
from services.ingest.tests.connector_kit import NOW, canonical, expected, raw
from services.ingest.tests.social_kit import assert_clean, hostile

pytestmark = pytest.mark.unit
X = XConnector()
BRAND = "1500000000"
SECRETS = {"consumer_secret": "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"}


def signed(body: bytes, secret: str = SECRETS["consumer_secret"]) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


def test_x_is_registered() -> None:
    assert isinstance(CONNECTORS["x"], XConnector)


def test_documented_v2_tweet_maps_every_canonical_field() -> None:
    result = X.normalize(raw(hm.HANDMADE_V2_TWEET_LOOKUP, channel="783214"))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:1307025659294674945",
            platform="x",
            channel="783214",
            kind="reply",
            native_id="1307025659294674945",
            url="https://x.com/TwitterDev/status/1307025659294674945",
            thread_id="x:1304102743196356610",
            in_reply_to="x:1304102743196356610",
            author={
                "id": "2244994945",
                "handle": "TwitterDev",
                "display_name": "Twitter Dev",
                "followers": 513962,
                "verified": True,
                "url": "https://x.com/TwitterDev",
            },
            text="Here\u2019s an article that highlights the updates in the new Tweet payload v2 "
            "https://t.co/oeF3ZHeKQQ",
            lang="en",
            created_at="2020-09-18T18:36:15Z",
            metrics={"likes": 70, "shares": 12, "replies": 2, "views": 0},
        )
    ]


def test_search_page_keeps_text_exactly_threads_by_conversation_and_skips_noise() -> None:
    result = X.normalize(raw(hm.HANDMADE_V2_SEARCH_RECENT, channel=BRAND))
    assert result.errors == []
    reply, mention, edited, own = (canonical(p) for p in result.posts)
    assert reply == expected(
        id="x:1790000000000000003",
        platform="x",
        channel=BRAND,
        kind="reply",
        native_id="1790000000000000003",
        url="https://x.com/elodie_m/status/1790000000000000003",
        thread_id="x:1790000000000000001",
        in_reply_to="x:1790000000000000001",
        author={
            "id": "987654321",
            "handle": "elodie_m",
            "display_name": "Élodie Marchand",
            "followers": 1289,
            "url": "https://x.com/elodie_m",
        },
        text="@ChorusCafe Ma commande n°4521 est arrivée froide 😡 & personne ne répond… "
        "https://t.co/AbC123xyz",
        lang="fr",
        created_at="2024-05-13T09:15:02Z",
        metrics={"likes": 12, "shares": 5, "replies": 1, "views": 845},
    )
    assert mention["kind"] == "mention" and mention["thread_id"] == "x:1790000000000000004"
    assert mention["media"] == [
        {"type": "photo", "url": "https://pbs.twimg.com/media/GNmenu123.jpg"}
    ]
    assert mention["author"]["verified"] is True and mention["author"]["followers"] == 40210
    # an edited tweet keeps its first id, so the edit updates the known post
    assert edited["id"] == "x:1790000000000000005"
    assert edited["url"] == "https://x.com/samlee/status/1790000000000000006"
    # the brand's own reply is brand activity; the repost adds no words and is skipped
    assert own["from_brand"] is True and own["author"]["id"] == BRAND
    assert [(s.code, s.native_id) for s in result.skipped] == [("repost", "1790000000000000007")]


def test_empty_search_page_is_an_empty_result() -> None:
    body = {"meta": {"result_count": 0}}
    result = X.normalize(raw(body, channel=BRAND))
    assert result.posts == [] and result.errors == []


def test_v2_response_needs_to_know_the_brand_account() -> None:
    with pytest.raises(NormalizeError) as info:
        X.normalize(raw(hm.HANDMADE_V2_TWEET_LOOKUP))
    assert info.value.code == "missing_channel"


def test_account_activity_tweets_map_every_canonical_field() -> None:
    result = X.normalize(raw(hm.HANDMADE_AAA_TWEET_CREATE))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:1050118621198921728",
            platform="x",
            channel="2244994945",
            kind="post",
            native_id="1050118621198921728",
            url="https://x.com/TwitterAPI/status/1050118621198921728",
            thread_id="x:1050118621198921728",
            author={
                "id": "6253282",
                "handle": "TwitterAPI",
                "display_name": "Twitter API",
                "followers": 6133636,
                "verified": True,
                "url": "https://x.com/TwitterAPI",
            },
            text="To make room for more expression, we will now count all emojis as equal—including"
            " those with gender and skin tone modifiers 👍🏻👍🏽👍🏿. This is now reflected in "
            "Twitter-Text, our Open Source library. \n\nUsing Twitter-Text? See the forum post "
            "for detail: https://t.co/Nx1XZmRCXA",
            lang="en",
            created_at="2018-10-10T20:19:24Z",
            metrics={"likes": 478, "shares": 144, "replies": 35, "views": 0},
        ),
        expected(
            id="x:1050295465337405440",
            platform="x",
            channel="2244994945",
            kind="reply",
            native_id="1050295465337405440",
            url="https://x.com/furiouscamper/status/1050295465337405440",
            thread_id="x:1050118621198921728",
            in_reply_to="x:1050118621198921728",
            author={
                "id": "3001969357",
                "handle": "furiouscamper",
                "display_name": "Jordan Brinks",
                "followers": 22,
                "url": "https://x.com/furiouscamper",
            },
            text="@TwitterDev is the <details> tag supported in cards? Asking for a friend 🙏",
            lang="en",
            created_at="2018-10-11T08:02:10Z",
            metrics={"likes": 1, "shares": 0, "replies": 0, "views": 0},
            media=[{"type": "photo", "url": "https://pbs.twimg.com/media/Dpo0000.jpg"}],
        ),
    ]


def test_account_activity_dm_maps_every_canonical_field_with_the_users_map() -> None:
    result = X.normalize(raw(hm.HANDMADE_AAA_DIRECT_MESSAGE))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:954491830116155396",
            platform="x",
            channel="4337869213",
            kind="dm",
            native_id="954491830116155396",
            thread_id="x:3001969357-4337869213",
            author={
                "id": "3001969357",
                "handle": "furiouscamper",
                "display_name": "Jordan Brinks",
                "followers": 22,
                "url": "https://x.com/furiouscamper",
            },
            text="Hello World!",
            created_at="2018-01-19T23:12:40.557000Z",
        )
    ]


def test_brand_sent_dms_are_brand_posts_and_other_activity_events_are_skipped() -> None:
    doc = json.loads(hm.HANDMADE_AAA_DIRECT_MESSAGE)
    create = doc["direct_message_events"][0]["message_create"]
    create["sender_id"], create["target"]["recipient_id"] = "4337869213", "3001969357"
    (sent,) = X.normalize(raw(doc)).posts
    assert sent.from_brand is True and sent.author.handle == "Harris_0ff"
    assert sent.thread_id == "x:3001969357-4337869213" and sent.kind == "dm"
    likes = {
        "for_user_id": "2244994945",
        "favorite_events": [{"id": "a", "favorited_status": {}}],
        "direct_message_indicate_typing_events": [{"created_timestamp": "1"}],
    }
    result = X.normalize(raw(likes))
    assert result.posts == [] and result.errors == []
    assert [(s.code, s.index, s.native_id) for s in result.skipped] == [
        ("reaction", 0, "a"),
        ("typing", 1, None),
    ]


def test_one_bad_tweet_is_an_item_error_and_the_rest_of_the_page_is_kept() -> None:
    doc = json.loads(hm.HANDMADE_V2_SEARCH_RECENT)
    doc["data"][1]["created_at"] = "yesterday"
    doc["data"].insert(0, "not a tweet")
    result = X.normalize(raw(doc, channel=BRAND))
    assert [p.native_id for p in result.posts] == [
        "1790000000000000003",
        "1790000000000000005",
        "1790000000000000008",
    ]
    assert [(e.code, e.index, e.native_id, e.field) for e in result.errors] == [
        ("missing_field", 0, None, "data[0].id"),
        ("invalid_time", 2, "1790000000000000004", "data[2].created_at"),
    ]
    assert result.errors[1].raw == doc["data"][2]


def test_one_bad_activity_event_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(hm.HANDMADE_AAA_TWEET_CREATE)
    del doc["tweet_create_events"][0]["user"]
    result = X.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["1050295465337405440"]
    assert [(e.code, e.index, e.field) for e in result.errors] == [
        ("missing_author", 0, "tweet_create_events[0].user.id_str")
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b'"tweet"',
        b"{}",
        b'{"errors": [{"title": "Not Found Error"}]}',
        b'{"data": "x"}',
        b'{"for_user_id": 12.5}',
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError) as info:
        X.normalize(raw(body, channel=BRAND))
    assert info.value.code


def test_valid_signature_passes() -> None:
    body = hm.HANDMADE_AAA_TWEET_CREATE
    X.verify(raw(body, headers=signed(body)), SECRETS, NOW)


def test_missing_signature_is_401_and_wrong_or_tampered_is_403() -> None:
    body = hm.HANDMADE_AAA_TWEET_CREATE
    with pytest.raises(SignatureError) as info:
        X.verify(raw(body), SECRETS, NOW)
    assert (info.value.status, info.value.code) == (401, "missing_signature")
    for headers, data in [
        (signed(body, "another secret"), body),
        (signed(body), body.replace(b"Twitter API", b"Twitter APl")),
        (signed(json.dumps(json.loads(body)).encode()), body),  # re-serialized JSON differs
        ({"x-twitter-webhooks-signature": "sha256=ünïcode"}, body),
    ]:
        with pytest.raises(SignatureError) as info:
            X.verify(raw(data, headers=headers), SECRETS, NOW)
        assert info.value.status == 403


def test_unconfigured_secret_refuses_the_delivery() -> None:
    body = b"{}"
    with pytest.raises(SignatureError) as info:
        X.verify(raw(body, headers=signed(body)), {}, NOW)
    assert (info.value.status, info.value.code) == (403, "secret_not_configured")


def test_replayed_delivery_verifies_and_yields_the_same_post_ids_for_dedup() -> None:
    body = hm.HANDMADE_AAA_TWEET_CREATE
    first = X.normalize(raw(body))
    X.verify(raw(body, headers=signed(body)), SECRETS, NOW)  # X signs no timestamp
    again = X.normalize(raw(body))
    assert [p.id for p in again.posts] == [p.id for p in first.posts]


def test_crc_challenge_is_answered_with_the_response_token() -> None:
    token = "9b4507b3-9040-4669-9ca3-6b94edb50553"
    answer = X.handshake({"crc_token": token}, SECRETS)
    assert answer is not None and answer.status == 200
    assert answer.content_type == "application/json"
    digest = hmac.new(SECRETS["consumer_secret"].encode(), token.encode(), hashlib.sha256).digest()
    assert json.loads(answer.body) == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }


def test_crc_without_token_or_secret_is_refused() -> None:
    missing = X.handshake({}, SECRETS)
    assert missing is not None and missing.status == 400
    unconfigured = X.handshake({"crc_token": "abc"}, {})
    assert unconfigured is not None and unconfigured.status == 403


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(hm.HANDMADE_V2_SEARCH_RECENT)))
def test_hostile_v2_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(X, raw(body, channel=BRAND))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hostile(json.loads(hm.HANDMADE_AAA_TWEET_CREATE))
    | hostile(json.loads(hm.HANDMADE_AAA_DIRECT_MESSAGE))
)
def test_hostile_activity_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(X, raw(body))


def test_verified_type_counts_as_verified_when_the_legacy_flag_is_absent() -> None:
    doc = json.loads(hm.HANDMADE_V2_SEARCH_RECENT)
    doc["includes"]["users"][0] = {
        "id": "987654321",
        "username": "elodie_m",
        "verified_type": "business",
    }
    first = X.normalize(raw(doc, channel=BRAND)).posts[0]
    assert first.author.verified is True and first.author.followers is None
