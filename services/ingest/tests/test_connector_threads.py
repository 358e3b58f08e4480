"""Threads: reply and mention webhooks, Graph reply and mention lists, signature, handshake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from chorus_platforms.threads.inbound import ThreadsConnector
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.social_kit import (
    META_SECRETS,
    VERIFY_TOKEN,
    assert_clean,
    hostile,
    meta_headers,
)

pytestmark = pytest.mark.unit
TH = ThreadsConnector()
BRAND = "123456"  # root_post.owner_id of the documented replies notification
# The documented mentions sample (whitespace collapsed; as printed, a comma is missing after
# "timestamp" and one trails "username").
DOCUMENTED_MENTION = (
    b'{"app_id": "123456", "topic": "interaction", "target_id": "78901", "time": 1723226877, '
    b'"subscription_id": "234567", "has_uid_field": false, "values": {"value": {'
    b'"id": "8901234", "alt_text": "test alt text", "gif_url": "https://media2.giphy.com/media/'
    b"v1.Y2lkPTA1NzQyMTNjd2R0MXcybjZ6bDNyam9qaXJsN3RicnVncnFsanJ2dGk3eDJiejRmbyZlcD12MV9naWZz"
    b'X2dpZklkJmN0PWc/3o85xEFRBYvAnamJnG/200.gif", "has_replies": true, "is_quote_post": false, '
    b'"is_reply": false, "media_product_type": "THREADS", "media_type": "TEXT_POST", '
    b'"permalink": "https:\\/\\/www.threads.net\\/@test_username\\/post\\/Pp", "shortcode": "Pp", '
    b'"text": "Reply", "timestamp": "2024-08-07T10:33:16+0000"\n"username": "test_username",}, '
    b'"field": "mentions"}}'
)
TEST_USERNAME = {
    "id": "test_username",
    "handle": "test_username",
    "url": "https://www.threads.net/@test_username",
}


def _mention() -> dict[str, Any]:
    """The documented mentions sample with its two missing commas put back."""
    fixed = DOCUMENTED_MENTION.replace(b'+0000"\n"username"', b'+0000", "username"')
    return json.loads(fixed.replace(b'"test_username",}', b'"test_username"}'))


def test_threads_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["threads"], ThreadsConnector)
    assert POLL_SOURCES["threads"] is CONNECTORS["threads"]


def test_reply_notification_maps_every_canonical_field() -> None:
    result = TH.normalize(raw(fixture("threads", "replies_webhook.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="threads:8901234",
            platform="threads",
            channel=BRAND,
            kind="reply",
            native_id="8901234",
            url="https://www.threads.net/@test_username/post/Pp",
            thread_id="threads:123456",
            in_reply_to="threads:567890",
            author=TEST_USERNAME,
            text="Reply",
            created_at="2024-08-07T10:33:16Z",
        )
    ]


def test_a_reply_to_the_root_post_is_a_comment_and_the_brands_own_reply_is_kept() -> None:
    doc = fixture_json("threads", "replies_webhook.json")
    doc["values"]["value"]["replied_to"]["id"] = "123456"
    [comment] = TH.normalize(raw(doc)).posts
    assert (comment.kind, comment.in_reply_to, comment.from_brand) == (
        "comment",
        "threads:123456",
        False,
    )
    doc["values"]["value"]["username"] = "test_username_2"  # the root post's owner answering
    [own] = TH.normalize(raw(doc)).posts
    assert own.from_brand is True and own.author.id == "test_username_2"


def test_the_documented_mentions_sample_is_refused_as_a_whole_because_it_is_not_json() -> None:
    with pytest.raises(NormalizeError) as info:
        TH.normalize(raw(DOCUMENTED_MENTION))
    assert info.value.code == "invalid_json"


def test_mention_notification_is_a_mention_of_the_target_account() -> None:
    [post] = TH.normalize(raw(_mention())).posts
    assert canonical(post) == expected(
        id="threads:8901234",
        platform="threads",
        channel="78901",
        kind="mention",
        native_id="8901234",
        url="https://www.threads.net/@test_username/post/Pp",
        thread_id="threads:8901234",
        author=TEST_USERNAME,
        text="Reply",
        created_at="2024-08-07T10:33:16Z",
        media=[
            {
                "type": "gif",
                "url": "https://media2.giphy.com/media/v1.Y2lkPTA1NzQyMTNjd2R0MXcybjZ6bDNyam9qaXJsN3RicnVncnFsanJ2dGk3eDJiejRmbyZlcD12MV9naWZzX2dpZklkJmN0PWc/3o85xEFRBYvAnamJnG/200.gif",
            }
        ],
    )


def test_publish_is_the_brands_own_post_and_delete_or_unknown_fields_are_skipped() -> None:
    doc = _mention()
    doc["values"]["field"] = "publish"
    [own] = TH.normalize(raw(doc)).posts
    assert (own.kind, own.from_brand, own.channel) == ("post", True, "78901")
    for field, code in (("delete", "deleted"), ("insights", "unsupported_field")):
        doc["values"]["field"] = field
        result = TH.normalize(raw(doc))
        assert result.posts == [] and [(s.code, s.native_id) for s in result.skipped] == [
            (code, "8901234")
        ]


def test_graph_replies_page_maps_each_reply_with_a_private_author() -> None:
    result = TH.normalize(raw(fixture("threads", "replies_list.json"), channel=BRAND))
    assert result.errors == [] and len(result.posts) == 3
    assert [p.text for p in result.posts] == ["First Reply", "Second Reply", "Third Reply"]
    assert canonical(result.posts[1]) == expected(
        id="threads:1234567890",
        platform="threads",
        channel=BRAND,
        kind="comment",
        native_id="1234567890",
        thread_id="threads:1234567890",
        in_reply_to="threads:1234567890",
        author={"id": "private"},  # the example asks no username: Threads then names nobody
        text="Second Reply",
        created_at="2024-01-01T18:20:00Z",
    )


def test_graph_reply_owned_by_the_brand_is_brand_activity() -> None:
    doc = fixture_json("threads", "replies_list.json")
    doc["data"][0]["is_reply_owned_by_me"] = True
    posts = TH.normalize(raw(doc, channel=BRAND)).posts
    assert [p.from_brand for p in posts] == [True, False, False]


def test_documented_mentions_list_without_times_gives_one_error_per_mention() -> None:
    result = TH.normalize(raw(fixture("threads", "mentions_list.json"), channel=BRAND))
    assert result.posts == []
    assert [(e.code, e.field, e.native_id) for e in result.errors] == [
        ("invalid_time", "data[0].timestamp", "18038..."),
        ("invalid_time", "data[1].timestamp", "17930..."),
        ("invalid_time", "data[2].timestamp", "17931..."),
    ]


def test_graph_lists_need_the_account_and_unknown_shapes_are_refused() -> None:
    with pytest.raises(NormalizeError) as info:
        TH.normalize(raw(fixture("threads", "replies_list.json")))
    assert info.value.code == "missing_channel"
    for body in (b"[1]", b'{"hello": 1}', b'{"data": 3}', b"\xff\xfe"):
        with pytest.raises(NormalizeError):
            TH.normalize(raw(body, channel=BRAND))


def test_signature_valid_missing_wrong_and_replayed() -> None:
    body = fixture("threads", "replies_webhook.json")
    TH.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    # Meta signs no time: a replay verifies and yields the same post id, which dedup drops.
    TH.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    assert TH.normalize(raw(body)).posts[0].id == TH.normalize(raw(body)).posts[0].id
    with pytest.raises(SignatureError) as missing:
        TH.verify(raw(body), META_SECRETS, NOW)
    assert missing.value.status == 401
    with pytest.raises(SignatureError) as wrong:
        TH.verify(raw(body, headers=meta_headers(body, "other")), META_SECRETS, NOW)
    assert wrong.value.status == 403
    with pytest.raises(SignatureError) as tampered:
        TH.verify(raw(body + b" ", headers=meta_headers(body)), META_SECRETS, NOW)
    assert tampered.value.status == 403


def test_handshake_echoes_the_challenge_only_for_the_verify_token() -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "CHAL", "hub.verify_token": VERIFY_TOKEN}
    assert TH.handshake(good, META_SECRETS).body == b"CHAL"  # type: ignore[union-attr]
    assert TH.handshake({**good, "hub.verify_token": "x"}, META_SECRETS).status == 403  # type: ignore[union-attr]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(fixture_json("threads", "replies_webhook.json")))
def test_hostile_threads_webhooks_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(TH, raw(body))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(fixture_json("threads", "replies_list.json")))
def test_hostile_threads_lists_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(TH, raw(body, channel=BRAND))


def test_a_reply_that_names_no_owner_takes_the_channel_or_is_an_error() -> None:
    doc = fixture_json("threads", "replies_webhook.json")
    del doc["values"]["value"]["root_post"]["owner_id"]
    [post] = TH.normalize(raw(doc, channel="999")).posts
    assert post.channel == "999"
    result = TH.normalize(raw(doc))
    assert result.posts == [] and [(e.code, e.native_id) for e in result.errors] == [
        ("missing_channel", "8901234")
    ]


def test_mentions_poll_request_and_its_newest_first_cursor() -> None:
    config = {"channel": BRAND, "access_token": "tok"}
    first = TH.poll_request(config, {})
    assert first.url == f"https://graph.threads.net/v1.0/{BRAND}/mentions"
    assert first.headers == {"Authorization": "Bearer tok"}
    assert first.params["limit"] == "50" and "root_post" in str(first.params["fields"])
    assert "after" not in first.params
    assert TH.poll_request({**config, "user_id": "42"}, {"page": "A"}).params["after"] == "A"
    assert TH.poll_request({**config, "user_id": "42"}, {}).url.endswith("/42/mentions")
    with pytest.raises(ValueError):
        TH.poll_request({"channel": BRAND}, {})
    page = fixture_json("threads", "replies_list.json")
    body = raw(page, channel=BRAND)
    result = TH.normalize(body)
    assert TH.advance({}, result, body) == {"since": "2024-01-01T18:20:00+00:00"}
    older = {"since": "2023-12-31T00:00:00+00:00"}
    assert TH.advance(older, result, body) == {
        "since": "2023-12-31T00:00:00+00:00",
        "page": "AFTER_CURSOR",
        "sweep_newest": "2024-01-01T18:20:00+00:00",
    }
    seen = {"since": "2024-01-01T18:20:00+00:00"}
    assert TH.advance(seen, result, body) == seen
