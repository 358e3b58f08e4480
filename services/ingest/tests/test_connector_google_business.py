"""Google Business Profile reviews: documented list/review/Pub/Sub shapes, token check, polling."""

from __future__ import annotations

import base64
import json

import pytest
from chorus_platforms.google_business.inbound import GoogleBusinessConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    canonical,
    clean_outcome,
    expected,
    mutated,
    raw,
)
from services.ingest.tests.handmade_google_business import (
    HANDMADE_PUBSUB_NEW_REVIEW,
    HANDMADE_PUBSUB_REVIEW,
    HANDMADE_REVIEWS_LIST,
)

pytestmark = pytest.mark.unit
GBP = GoogleBusinessConnector()
LOCATION = "accounts/104858302738/locations/982374"

REVIEW_1 = expected(
    id="google_business:AIe9_BGx7bN-1",
    platform="google_business",
    channel=LOCATION,
    kind="review",
    native_id="AIe9_BGx7bN-1",
    thread_id="google_business:AIe9_BGx7bN-1",
    author={"id": "Zoë Martin", "display_name": "Zoë Martin"},
    text="Très bon accueil 😊 mais 20 min d'attente. Merci @Chorus ! https://example.com/menu",
    created_at="2024-03-14T09:15:42.123456Z",
    rating=4,
    metrics={"likes": 0, "shares": 0, "replies": 1, "views": 0},
)
REVIEW_2 = expected(
    id="google_business:AIe9_CHy8cO-2",
    platform="google_business",
    channel=LOCATION,
    kind="review",
    native_id="AIe9_CHy8cO-2",
    thread_id="google_business:AIe9_CHy8cO-2",
    author={"id": "anonymous:AIe9_CHy8cO-2"},
    text="",
    created_at="2024-03-13T18:00:00Z",
    rating=1,
)


def test_google_business_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["google_business"], GoogleBusinessConnector)
    assert isinstance(POLL_SOURCES["google_business"], GoogleBusinessConnector)


def test_documented_review_list_maps_every_canonical_field() -> None:
    result = GBP.normalize(raw(HANDMADE_REVIEWS_LIST))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [REVIEW_1, REVIEW_2]


def test_star_ratings_one_to_five_map_to_numbers() -> None:
    doc = json.loads(HANDMADE_REVIEWS_LIST)
    review = doc["reviews"][0]
    doc["reviews"] = [
        dict(review, reviewId=f"r{n}", starRating=word)
        for n, word in enumerate(["ONE", "TWO", "THREE", "FOUR", "FIVE"], start=1)
    ]
    result = GBP.normalize(raw(doc))
    assert [p.rating for p in result.posts] == [1, 2, 3, 4, 5]


def test_channel_given_by_the_caller_wins_over_the_location_name() -> None:
    result = GBP.normalize(raw(HANDMADE_REVIEWS_LIST, channel="loc-paris"))
    assert {p.channel for p in result.posts} == {"loc-paris"}


def test_one_bad_review_becomes_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_REVIEWS_LIST)
    doc["reviews"].insert(1, dict(doc["reviews"][0], reviewId="bad-1", starRating="SIX"))
    result = GBP.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["AIe9_BGx7bN-1", "AIe9_CHy8cO-2"]
    [error] = result.errors
    assert (error.code, error.field, error.index, error.native_id) == (
        "invalid_rating",
        "starRating",
        1,
        "bad-1",
    )
    assert error.raw["starRating"] == "SIX"


def test_pubsub_push_carrying_a_review_is_normalized() -> None:
    result = GBP.normalize(raw(HANDMADE_PUBSUB_REVIEW))
    assert [canonical(p) for p in result.posts] == [REVIEW_2]


def test_pubsub_new_review_notification_is_read_with_a_follow_up_review_get() -> None:
    result = GBP.normalize(raw(HANDMADE_PUBSUB_NEW_REVIEW))
    assert result.posts == [] and result.errors == [] and result.skipped == []
    [fetch] = result.fetches
    assert (fetch.base, fetch.path, fetch.token, fetch.index) == (
        "https://mybusiness.googleapis.com/v4",
        "accounts/104858302738/locations/982374/reviews/AIe9_BGx7bN-1",
        "access_token",
        0,
    )
    review = json.loads(HANDMADE_REVIEWS_LIST)["reviews"][0]
    post = fetch.then(review)
    assert post.channel == "accounts/104858302738/locations/982374"
    assert post.kind == "review" and post.text == review["comment"]


def test_a_notification_that_names_no_review_is_skipped_with_its_type() -> None:
    body = {"message": {"data": base64.b64encode(b'{"type": "GOOGLE_UPDATE"}').decode()}}
    [skip] = GBP.normalize(raw(body)).skipped
    assert skip.code == "notification_type" and "GOOGLE_UPDATE" in skip.reason


def test_batch_get_reviews_uses_the_location_name_as_channel() -> None:
    review = json.loads(HANDMADE_REVIEWS_LIST)["reviews"][1]
    review.pop("name")
    body = {"locationReviews": [{"name": "accounts/1/locations/77", "review": review}]}
    [post] = GBP.normalize(raw(body)).posts
    assert (post.channel, post.native_id, post.rating) == (
        "accounts/1/locations/77",
        "AIe9_CHy8cO-2",
        1,
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "invalid_json"),
        (b"[1, 2]", "invalid_shape"),
        (b'{"reviews": {"a": 1}}', "invalid_shape"),
        (b'{"message": {"data": "%%%notbase64"}}', "invalid_pubsub_data"),
        (b'{"something": "else"}', "invalid_shape"),
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes, code: str) -> None:
    with pytest.raises(NormalizeError) as info:
        GBP.normalize(raw(body))
    assert info.value.code == code


def test_pubsub_token_valid_passes() -> None:
    GBP.verify(raw(b"{}", query={"token": "s3cret"}), {"token": "s3cret"}, NOW)


@pytest.mark.parametrize(
    ("query", "secrets", "status", "code"),
    [
        ({}, {"token": "s3cret"}, 401, "token_missing"),
        ({"token": "guess"}, {"token": "s3cret"}, 403, "token_mismatch"),
        ({"token": "s3cret"}, {}, 403, "secret_not_configured"),
    ],
)
def test_pubsub_token_missing_wrong_or_unconfigured_is_rejected(
    query: dict[str, str], secrets: dict[str, str], status: int, code: str
) -> None:
    with pytest.raises(SignatureError) as info:
        GBP.verify(raw(b"{}", query=query), secrets, NOW)
    assert (info.value.status, info.value.code) == (status, code)


def test_poll_request_lists_reviews_newest_first_and_follows_the_page_token() -> None:
    config = {"location": LOCATION, "access_token": "ya29.tok"}
    first = GBP.poll_request(config, {})
    assert first.url == f"https://mybusiness.googleapis.com/v4/{LOCATION}/reviews"
    assert first.params == {"pageSize": "50", "orderBy": "updateTime desc"}
    assert first.headers["Authorization"] == "Bearer ya29.tok"
    assert GBP.poll_request(config, {"page": "TOKEN2"}).params["pageToken"] == "TOKEN2"


def test_cursor_follows_pages_then_moves_since_to_the_newest_update_time() -> None:
    page = raw(HANDMADE_REVIEWS_LIST)
    cursor = GBP.advance({}, GBP.normalize(page), page)
    assert cursor == {
        "page": "CiAKGjBpNDd2Nmp2Zml2c2tqa2loaHVhemFxbg",
        "sweep_newest": "2024-03-14T10:01:00+00:00",
    }
    last = raw({"reviews": []})
    cursor = GBP.advance(cursor, GBP.normalize(last), last)
    assert cursor == {"since": "2024-03-14T10:01:00+00:00"}
    # Next sweep: a page reaching back to `since` ends the sweep even with a next page token.
    cursor = GBP.advance(cursor, GBP.normalize(page), page)
    assert cursor == {"since": "2024-03-14T10:01:00+00:00"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), mutated(json.loads(HANDMADE_REVIEWS_LIST))))
def test_hostile_review_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(GBP, raw(body))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_hostile_pubsub_data_gives_only_results_or_normalize_errors(data: bytes) -> None:
    envelope = {"message": {"data": base64.b64encode(data).decode(), "messageId": "1"}}
    clean_outcome(GBP, raw(json.dumps(envelope).encode()))


def test_an_edited_old_review_on_a_page_does_not_end_the_sweep_early() -> None:
    doc = json.loads(HANDMADE_REVIEWS_LIST)
    for review in doc["reviews"]:  # both written long ago, both edited after `since`
        review["createTime"] = "2020-01-01T00:00:00Z"
        review["updateTime"] = "2024-03-20T00:00:00Z"
    page = raw(doc)
    cursor = GBP.advance({"since": "2024-03-15T00:00:00+00:00"}, GBP.normalize(page), page)
    assert cursor["page"] == doc["nextPageToken"]
