"""App Store customer reviews: Apple's documented list examples, included developer responses as
the brand's own posts, the relay signature, the ES256 poll token and the cursor."""

from __future__ import annotations

import copy
import time
from typing import Any

import jwt
import pytest
from chorus_platforms.app_store.inbound import AppStoreConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    canonical,
    clean_outcome,
    expected,
    fixture,
    fixture_json,
    mutated,
    raw,
    relay_headers,
)

pytestmark = pytest.mark.unit
ASC = AppStoreConnector()
APP = "682658836"
REVIEW_ID = "00000028-b08c-0014-729e-fbd500000000"
ANNE = expected(
    id=f"app_store:{REVIEW_ID}",
    platform="app_store",
    channel=APP,
    kind="review",
    native_id=REVIEW_ID,
    thread_id=f"app_store:{REVIEW_ID}",
    author={"id": "Anne Johnson", "display_name": "Anne Johnson"},
    text="Awesome!!!\n\nIt's a really fantastic app!",
    created_at="2017-11-15T16:10:34Z",
    rating=5,
)
RESPONSE = {
    "type": "customerReviewResponses",
    "id": "resp-1",
    "attributes": {
        "responseBody": "Thank you, Anne!",
        "lastModifiedDate": "2017-11-16T09:00:00-08:00",
        "state": "PUBLISHED",
    },
}


def _with_response() -> dict[str, Any]:
    doc = fixture_json("app_store", "app_customer_reviews.json")
    doc["data"][0]["relationships"]["response"]["data"] = {
        "type": "customerReviewResponses",
        "id": "resp-1",
    }
    doc["included"] = [copy.deepcopy(RESPONSE)]
    return doc


def test_app_store_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["app_store"], AppStoreConnector)
    assert isinstance(POLL_SOURCES["app_store"], AppStoreConnector)


def test_documented_app_review_list_maps_every_field_and_names_the_app() -> None:
    result = ASC.normalize(raw(fixture("app_store", "app_customer_reviews.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [ANNE]


def test_documented_version_review_list_takes_the_channel_given() -> None:
    body = fixture("app_store", "version_customer_reviews.json")
    [post] = ASC.normalize(raw(body, channel=APP)).posts
    assert (post.channel, post.native_id, post.rating) == (
        APP,
        "00000028-b08c-0014-9674-c54800000000",
        5,
    )
    assert post.text.startswith("Pretty Stellar\n\nI love how creative")
    with pytest.raises(NormalizeError) as info:
        ASC.normalize(raw(body))
    assert info.value.code == "missing_channel"


def test_an_included_developer_response_is_the_brands_reply_to_the_review() -> None:
    result = ASC.normalize(raw(_with_response()))
    assert [canonical(p) for p in result.posts] == [
        dict(ANNE, metrics={"likes": 0, "shares": 0, "replies": 1, "views": 0}),
        expected(
            id="app_store:resp-1",
            platform="app_store",
            channel=APP,
            kind="reply",
            native_id="resp-1",
            thread_id=f"app_store:{REVIEW_ID}",
            in_reply_to=f"app_store:{REVIEW_ID}",
            author={"id": APP},
            text="Thank you, Anne!",
            created_at="2017-11-16T17:00:00Z",
            from_brand=True,
        ),
    ]


def test_a_single_review_document_is_read_too() -> None:
    doc = fixture_json("app_store", "app_customer_reviews.json")
    single = {"data": doc["data"][0], "links": doc["data"][0]["links"]}
    [post] = ASC.normalize(raw(single, channel=APP)).posts
    assert canonical(post) == ANNE


def test_bad_items_are_errors_or_skips_and_the_rest_is_kept() -> None:
    doc = _with_response()
    bad = copy.deepcopy(doc["data"][0])
    bad["id"], bad["attributes"]["rating"] = "bad-1", 0
    doc["data"].append(bad)
    doc["included"].append({"type": "territories", "id": "USA"})
    doc["included"].append(dict(RESPONSE, id="orphan"))
    result = ASC.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == [REVIEW_ID, "resp-1"]
    assert [(e.code, e.field, e.index, e.native_id) for e in result.errors] == [
        ("invalid_rating", "data[1].attributes.rating", 1, "bad-1"),
        ("missing_field", "included[2].relationships", 4, "orphan"),
    ]
    assert [(s.code, s.index) for s in result.skipped] == [("unsupported_field", 3)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "invalid_json"),
        (b"[1]", "invalid_shape"),
        (b'{"errors": []}', "invalid_shape"),
        (b'{"data": [], "included": {}}', "invalid_shape"),
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes, code: str) -> None:
    with pytest.raises(NormalizeError) as info:
        ASC.normalize(raw(body, channel=APP))
    assert info.value.code == code


def test_relayed_pages_need_the_relay_signature() -> None:
    body = fixture("app_store", "app_customer_reviews.json")
    ASC.verify(raw(body, headers=relay_headers("k", body)), {"signing_secret": "k"}, NOW)
    with pytest.raises(SignatureError) as info:
        ASC.verify(raw(body, headers=relay_headers("other", body)), {"signing_secret": "k"}, NOW)
    assert info.value.status == 403


def test_poll_request_is_signed_with_an_es256_token_of_the_p8_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    config = {
        "channel": APP,
        "issuer_id": "57246542-96fe",
        "key_id": "2X9R4HXF34",
        "private_key": pem,
    }
    first = ASC.poll_request(config, {})
    assert first.url == f"https://api.appstoreconnect.apple.com/v1/apps/{APP}/customerReviews"
    assert first.params == {"sort": "-createdDate", "limit": "200", "include": "response"}
    token = first.headers["Authorization"].removeprefix("Bearer ")
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"], header["typ"]) == ("ES256", "2X9R4HXF34", "JWT")
    claims = jwt.decode(
        token, key.public_key(), algorithms=["ES256"], audience="appstoreconnect-v1"
    )
    assert claims["iss"] == "57246542-96fe"
    assert 0 < claims["exp"] - claims["iat"] <= 20 * 60
    assert abs(claims["iat"] - time.time()) < 60
    assert ASC.poll_request(config, {"page": "AQ.AMt2C-U"}).params["cursor"] == "AQ.AMt2C-U"
    with pytest.raises(ValueError, match="P-256"):
        ASC.poll_request(dict(config, private_key="not a key"), {})


def test_cursor_takes_the_cursor_of_links_next_then_moves_since() -> None:
    page = raw(fixture("app_store", "app_customer_reviews.json"))
    cursor = ASC.advance({}, ASC.normalize(page), page)
    assert cursor == {"page": "AQ.AMt2C-U", "sweep_newest": "2017-11-15T16:10:34+00:00"}
    last = raw({"data": [], "links": {"self": "x"}}, channel=APP)
    cursor = ASC.advance(cursor, ASC.normalize(last), last)
    assert cursor == {"since": "2017-11-15T16:10:34+00:00"}
    assert ASC.advance(cursor, ASC.normalize(page), page) == cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), mutated(_with_response())))
def test_hostile_review_documents_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(ASC, raw(body, channel=APP))
