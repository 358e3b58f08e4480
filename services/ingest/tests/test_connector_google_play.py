"""Google Play reviews: the documented list/review shapes, the developer's reply as the brand's
own post, the relay signature and the poll cursor."""

from __future__ import annotations

import pytest
from chorus_platforms.google_play.inbound import GooglePlayConnector
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
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
PLAY = GooglePlayConnector()
APP = "com.example.app"

JANE = expected(
    id="google_play:12345678",
    platform="google_play",
    channel=APP,
    kind="review",
    native_id="12345678",
    thread_id="google_play:12345678",
    author={"id": "Jane Bloggs", "display_name": "Jane Bloggs"},
    text="This is the best app ever!",
    created_at="2015-10-01T05:20:26.713000Z",
    rating=5,
)
JOHN = expected(
    id="google_play:11223344",
    platform="google_play",
    channel=APP,
    kind="review",
    native_id="11223344",
    thread_id="google_play:11223344",
    author={"id": "John Doe", "display_name": "John Doe"},
    text="I love using this app!",
    lang="en",
    created_at="1974-06-27T16:22:14.213000Z",
    rating=5,
    metrics={"likes": 10, "shares": 0, "replies": 1, "views": 0},
)
DEVELOPER_REPLY = expected(
    id="google_play:11223344/reply",
    platform="google_play",
    channel=APP,
    kind="reply",
    native_id="11223344/reply",
    thread_id="google_play:11223344",
    in_reply_to="google_play:11223344",
    author={"id": APP},
    text="That's great to hear!",
    created_at="2015-02-05T01:57:47.813000Z",
    from_brand=True,
)


def test_google_play_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["google_play"], GooglePlayConnector)
    assert isinstance(POLL_SOURCES["google_play"], GooglePlayConnector)


def test_documented_review_list_maps_every_field_and_keeps_the_developer_reply() -> None:
    result = PLAY.normalize(raw(fixture("google_play", "reviews_list.json"), channel=APP))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [JANE, JOHN, DEVELOPER_REPLY]
    assert [m.value if m else None for m in result.markers] == [
        1443676826713000,
        141582134213000,
        1423101467813000,
    ]


def test_documented_single_review_is_one_review_post() -> None:
    [post] = PLAY.normalize(raw(fixture("google_play", "review_get.json"), channel=APP)).posts
    assert canonical(post) == expected(
        id="google_play:87654321",
        platform="google_play",
        channel=APP,
        kind="review",
        native_id="87654321",
        thread_id="google_play:87654321",
        author={"id": "Joan Smith", "display_name": "Joan Smith"},
        text="This app is awesome!",
        created_at="2016-01-06T21:12:03.913000Z",
        rating=5,
    )


def test_a_translated_review_keeps_the_words_the_reviewer_wrote() -> None:
    body = fixture("google_play", "review_translated.json")
    [post] = PLAY.normalize(raw(body, channel=APP)).posts
    assert post.text == "Dies ist die beste App überhaupt!"
    assert canonical(post) == dict(JANE, text="Dies ist die beste App überhaupt!")


def test_a_review_without_author_name_stays_distinct_per_review() -> None:
    doc = fixture_json("google_play", "review_get.json")
    del doc["authorName"]
    [post] = PLAY.normalize(raw(doc, channel=APP)).posts
    assert (post.author.id, post.author.display_name) == ("anonymous:87654321", None)


def test_bad_rating_and_odd_comments_are_errors_or_skips_and_the_rest_is_kept() -> None:
    doc = fixture_json("google_play", "reviews_list.json")
    doc["reviews"][0]["comments"][0]["userComment"]["starRating"] = 6
    doc["reviews"][1]["comments"].append({"somethingElse": {}})
    doc["reviews"].append({"reviewId": "99", "comments": []})
    result = PLAY.normalize(raw(doc, channel=APP))
    assert [p.native_id for p in result.posts] == ["11223344", "11223344/reply"]
    [error] = result.errors
    assert (error.code, error.field, error.index, error.native_id) == (
        "invalid_rating",
        "reviews[0].comments[0].userComment.starRating",
        0,
        "12345678",
    )
    assert [(s.code, s.index, s.native_id) for s in result.skipped] == [
        ("unsupported_field", 3, "11223344"),
        ("no_comment", 4, "99"),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "invalid_json"),
        (b"[1]", "invalid_shape"),
        (b'{"reviews": {"a": 1}}', "invalid_shape"),
        (b'{"result": {"replyText": "x"}}', "invalid_shape"),
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes, code: str) -> None:
    with pytest.raises(NormalizeError) as info:
        PLAY.normalize(raw(body, channel=APP))
    assert info.value.code == code


def test_the_package_is_needed_to_name_the_channel() -> None:
    with pytest.raises(NormalizeError) as info:
        PLAY.normalize(raw(fixture("google_play", "review_get.json")))
    assert info.value.code == "missing_channel"


def test_relayed_pages_need_the_relay_signature() -> None:
    body = fixture("google_play", "review_get.json")
    PLAY.verify(raw(body, headers=relay_headers("k", body)), {"signing_secret": "k"}, NOW)
    with pytest.raises(SignatureError) as info:
        PLAY.verify(raw(body), {"signing_secret": "k"}, NOW)
    assert info.value.status == 401


def test_poll_request_lists_the_package_reviews_and_follows_the_token() -> None:
    config = {"channel": APP, "access_token": "ya29.tok"}
    first = PLAY.poll_request(config, {})
    assert first.url == (
        "https://androidpublisher.googleapis.com/androidpublisher/v3/applications/"
        "com.example.app/reviews"
    )
    assert first.params == {"maxResults": "100"}
    assert first.headers["Authorization"] == "Bearer ya29.tok"
    assert PLAY.poll_request(config, {"page": "12334566"}).params["token"] == "12334566"
    with pytest.raises(ValueError, match="channel"):
        PLAY.poll_request({}, {})


def test_cursor_follows_the_page_token_then_moves_since_to_the_newest_user_comment() -> None:
    page = raw(fixture("google_play", "reviews_list.json"), channel=APP)
    cursor = PLAY.advance({}, PLAY.normalize(page), page)
    assert cursor == {"page": "12334566", "sweep_newest": "2015-10-01T05:20:26.713000+00:00"}
    last = raw(b'{"reviews": []}', channel=APP)
    cursor = PLAY.advance(cursor, PLAY.normalize(last), last)
    assert cursor == {"since": "2015-10-01T05:20:26.713000+00:00"}
    # The next sweep ends where it reaches `since`, even with a next page token.
    assert PLAY.advance(cursor, PLAY.normalize(page), page) == cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.binary(max_size=300), mutated(fixture_json("google_play", "reviews_list.json")))
)
def test_hostile_review_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(PLAY, raw(body, channel=APP))
