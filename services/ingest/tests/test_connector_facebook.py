"""Facebook Pages: feed webhooks, Graph comment pages, X-Hub-Signature-256, hub.challenge."""

from __future__ import annotations

import json

import pytest
from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, raw
from services.ingest.tests.handmade_facebook import HANDMADE_FEED_WEBHOOK, HANDMADE_GRAPH_COMMENTS
from services.ingest.tests.social_kit import (
    META_SECRETS,
    VERIFY_TOKEN,
    assert_clean,
    hostile,
    meta_headers,
)

pytestmark = pytest.mark.unit
FB = FacebookConnector()
PAGE = "448242228374517"
POST = "448242228374517_122131676912594941"
ZOE = {"id": "7713359075386431", "display_name": "Zoë Laurent"}
MARCO = {"id": "9128004410046113", "display_name": "Marco Rossi"}

VISITOR_POST = expected(
    id=f"facebook:{POST}",
    platform="facebook",
    channel=PAGE,
    kind="post",
    native_id=POST,
    url="https://www.facebook.com/448242228374517/posts/122131676912594941",
    thread_id=f"facebook:{POST}",
    author=ZOE,
    text="Votre café de la rue Mercière est fermé depuis 3 jours ?! 😤 #déçue",
    created_at="2025-03-22T18:10:04Z",
    media=[{"type": "photo", "url": "https://scontent.xx.fbcdn.net/v/t39.30808-6/485000_n.jpg"}],
)
COMMENT = expected(
    id="facebook:122131676912594941_542072878449250",
    platform="facebook",
    channel=PAGE,
    kind="comment",
    native_id="122131676912594941_542072878449250",
    thread_id=f"facebook:{POST}",
    in_reply_to=f"facebook:{POST}",
    author=MARCO,
    text="Same here, it was closed yesterday too.",
    created_at="2025-03-22T18:15:04Z",
)
REPLY = expected(
    id="facebook:122131676912594941_1213590066982748",
    platform="facebook",
    channel=PAGE,
    kind="reply",
    native_id="122131676912594941_1213590066982748",
    thread_id=f"facebook:{POST}",
    in_reply_to="facebook:122131676912594941_542072878449250",
    author=ZOE,
    text="@Marco Rossi merci ! On n'est pas les seuls alors",
    created_at="2025-03-22T18:20:04Z",
)


def test_facebook_is_registered() -> None:
    assert isinstance(CONNECTORS["facebook"], FacebookConnector)


def test_feed_webhook_maps_posts_comments_replies_and_edits_field_by_field() -> None:
    result = FB.normalize(raw(HANDMADE_FEED_WEBHOOK))
    assert result.errors == []
    post, comment, reply, edit, own, dm = (canonical(p) for p in result.posts)
    assert post == VISITOR_POST
    assert comment == COMMENT
    assert reply == REPLY
    # the edit reuses the reply's id, so ingest publishes it as an update of the known post
    assert edit == {
        **REPLY,
        "text": "@Marco Rossi merci ! On n'est pas les seuls alors 🙏",
        "created_at": "2025-03-22T18:21:40Z",
    }
    # the Messenger event delivered to the same Page callback is a messenger dm
    assert dm == expected(
        id="messenger:m_AbCdEf0123456789",
        platform="messenger",
        channel=PAGE,
        kind="dm",
        native_id="m_AbCdEf0123456789",
        thread_id=f"messenger:{PAGE}:24873400000000001",
        author={"id": "24873400000000001"},
        text="Bonjour, vous êtes ouverts demain ?",
        created_at="2025-03-22T18:26:40.123000Z",
    )
    # the page's own comment is brand activity, never dropped
    assert own == expected(
        id="facebook:122131676912594941_990000000000001",
        platform="facebook",
        channel=PAGE,
        kind="comment",
        native_id="122131676912594941_990000000000001",
        thread_id=f"facebook:{POST}",
        in_reply_to=f"facebook:{POST}",
        author={"id": PAGE, "display_name": "Chorus Café"},
        text=own["text"],
        created_at="2025-03-22T18:25:00Z",
        from_brand=True,
    )
    # the reaction and the removal are skipped, each with its reason
    assert [(k.code, k.index) for k in result.skipped] == [("reaction", 4), ("deleted", 5)]


def test_graph_comment_page_joins_the_same_thread_as_the_webhook() -> None:
    result = FB.normalize(raw(HANDMADE_GRAPH_COMMENTS, channel=PAGE))
    assert result.errors == []
    first, second, own = (canonical(p) for p in result.posts)
    assert own["from_brand"] is True and own["author"]["id"] == PAGE
    assert first == {
        **COMMENT,
        "url": "https://www.facebook.com/448242228374517/posts/122131676912594941?comment_id=542072878449250",
        "metrics": {"likes": 3, "shares": 0, "replies": 1, "views": 0},
    }
    assert second == {**REPLY, "text": "@Marco Rossi merci ! On n'est pas les seuls alors 🙏"}


def test_graph_comment_page_needs_the_page_id() -> None:
    with pytest.raises(NormalizeError) as info:
        FB.normalize(raw(HANDMADE_GRAPH_COMMENTS))
    assert info.value.code == "missing_channel"


def test_one_bad_change_is_an_item_error_and_the_rest_of_the_envelope_is_kept() -> None:
    doc = json.loads(HANDMADE_FEED_WEBHOOK)
    del doc["entry"][0]["changes"][1]["value"]["from"]
    doc["entry"][0]["changes"][2]["value"]["created_time"] = -5
    doc["entry"].insert(0, {"time": 1, "changes": []})
    result = FB.normalize(raw(doc))
    assert [p.id for p in result.posts] == [
        f"facebook:{POST}",
        "facebook:122131676912594941_1213590066982748",
        "facebook:122131676912594941_990000000000001",
        "messenger:m_AbCdEf0123456789",
    ]
    assert [(e.code, e.index, e.field, e.native_id) for e in result.errors] == [
        ("missing_field", 0, "entry[0].id", None),
        ("missing_author", 2, "entry[1].changes[1].value.from.id", "122131676912594941_542072878449250"),
        ("invalid_time", 3, "entry[1].changes[2].value.created_time", "122131676912594941_1213590066982748"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"{}",
        b'{"object": "instagram", "entry": []}',
        b'{"object": "page", "entry": {}}',
        b'{"data": 3}',
        b"null",
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError) as info:
        FB.normalize(raw(body, channel=PAGE))
    assert info.value.code


def test_valid_signature_passes_in_either_hex_case() -> None:
    body = HANDMADE_FEED_WEBHOOK
    FB.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)
    upper = {
        "x-hub-signature-256": "sha256=" + meta_headers(body)["x-hub-signature-256"][7:].upper()
    }
    FB.verify(raw(body, headers=upper), META_SECRETS, NOW)


def test_missing_signature_is_401_and_wrong_or_tampered_is_403() -> None:
    body = HANDMADE_FEED_WEBHOOK
    with pytest.raises(SignatureError) as info:
        FB.verify(raw(body), META_SECRETS, NOW)
    assert (info.value.status, info.value.code) == (401, "missing_signature")
    sha1 = {"x-hub-signature-256": "sha1=" + meta_headers(body)["x-hub-signature-256"][7:]}
    for headers, data in [
        (meta_headers(body, "wrong secret"), body),
        (meta_headers(body), body.replace(b"Marco", b"Marc0")),
        (meta_headers(json.dumps(json.loads(body)).encode()), body),
        (sha1, body),
        ({"x-hub-signature-256": "sha256=zz\u00e9"}, body),
    ]:
        with pytest.raises(SignatureError) as info:
            FB.verify(raw(data, headers=headers), META_SECRETS, NOW)
        assert (info.value.status, info.value.code) == (403, "bad_signature")


def test_unconfigured_app_secret_refuses_the_delivery() -> None:
    body = b"{}"
    with pytest.raises(SignatureError) as info:
        FB.verify(raw(body, headers=meta_headers(body)), {"verify_token": "t"}, NOW)
    assert info.value.status == 403


def test_replayed_delivery_verifies_and_yields_the_same_post_ids_for_dedup() -> None:
    body = HANDMADE_FEED_WEBHOOK
    FB.verify(raw(body, headers=meta_headers(body)), META_SECRETS, NOW)  # Meta signs no time
    assert [p.id for p in FB.normalize(raw(body)).posts] == [
        p.id for p in FB.normalize(raw(body)).posts
    ]


def test_hub_challenge_is_echoed_when_the_verify_token_matches() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": VERIFY_TOKEN,
    }
    answer = FB.handshake(query, META_SECRETS)
    assert answer is not None
    assert (answer.status, answer.body, answer.content_type) == (200, b"1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "meatyhamhock"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
        {"hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
def test_hub_challenge_with_a_wrong_or_missing_part_is_403(query: dict[str, str]) -> None:
    answer = FB.handshake(query, META_SECRETS)
    assert answer is not None and answer.status == 403 and b"1" not in answer.body


def test_hub_challenge_without_a_configured_token_is_403_and_odd_challenges_400() -> None:
    ok = {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN}
    assert FB.handshake(ok, {"app_secret": "s"}).status == 403  # type: ignore[union-attr]
    odd = {**ok, "hub.challenge": "<script>\n"}
    assert FB.handshake(odd, META_SECRETS).status == 400  # type: ignore[union-attr]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_FEED_WEBHOOK)))
def test_hostile_page_webhooks_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(FB, raw(body))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_GRAPH_COMMENTS)))
def test_hostile_graph_comment_pages_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(FB, raw(body, channel=PAGE))
