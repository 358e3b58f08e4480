"""Facebook ``ratings`` (recommendations) webhooks copied verbatim from the restfb client
library's recorded test data, normalized field by field (see fixtures/facebook/README.md)."""

from __future__ import annotations

import pytest
from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.inbound import NormalizeResult
from chorus_platforms.kit.items import complete

from services.ingest.tests.connector_kit import canonical, expected, fixture, fixture_json, raw

pytestmark = pytest.mark.unit
FB = FacebookConnector()
PAGE = "1234567890321"
TESTER = {"id": "705955836155788", "display_name": "Tester"}


def _normalize(name: str) -> NormalizeResult:
    return FB.normalize(raw(fixture("facebook", name)))


def test_a_recorded_recommendation_maps_every_field() -> None:
    result = _normalize("restfb_ratings_rating_add.json")
    assert result.errors == [] and result.skipped == [] and result.fetches == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="facebook:904801129604590",
            platform="facebook",
            channel=PAGE,
            kind="review",
            native_id="904801129604590",
            thread_id="facebook:904801129604590",
            author=TESTER,
            text="Ja ziemlich coole Sache",
            created_at="2015-11-29T11:03:22Z",
            rating=3,
        )
    ]


def test_a_recorded_comment_without_text_is_read_then_sits_under_the_recommendation() -> None:
    result = _normalize("restfb_ratings_comment_add.json")
    assert result.posts == [] and result.errors == [] and result.skipped == []
    (fetch,) = result.fetches
    assert fetch.path == "v21.0/904801129604590_904802532937783"
    assert fetch.params == {"fields": "id,message,created_time,from"}
    (post,) = complete(fetch, {"id": fetch.native_id, "message": "Danke!"}).posts
    assert canonical(post) == expected(
        id="facebook:904801129604590_904802532937783",
        platform="facebook",
        channel=PAGE,
        kind="comment",
        native_id="904801129604590_904802532937783",
        thread_id="facebook:6767676767",
        in_reply_to="facebook:6767676767",
        author=TESTER,
        text="Danke!",
        created_at="2015-11-29T11:09:46Z",
    )


def test_a_recorded_edit_without_story_id_is_the_pages_comment_in_the_posts_story() -> None:
    (fetch,) = _normalize("restfb_ratings_comment_edited.json").fetches
    assert fetch.path == "v21.0/716630661754264_994838177266843"
    data = {"message": "Gern geschehen", "created_time": "2016-01-06T19:21:00+0000"}
    (post,) = complete(fetch, data).posts
    assert canonical(post) == expected(
        id="facebook:716630661754264_994838177266843",
        platform="facebook",
        channel=PAGE,
        kind="comment",
        native_id="716630661754264_994838177266843",
        thread_id="facebook:716630661754264",
        in_reply_to="facebook:716630661754264",
        author={"id": PAGE, "display_name": "Tester"},
        text="Gern geschehen",
        created_at="2016-01-06T19:21:00Z",
        from_brand=True,
    )


@pytest.mark.parametrize(
    ("name", "code", "native"),
    [
        ("restfb_ratings_comment_remove.json", "deleted", "716630661754264_812745235476139"),
        ("restfb_ratings_like_add.json", "reaction", "100002241334695_904801129604590"),
    ],
)
def test_recorded_removals_and_likes_are_counted_skips(name: str, code: str, native: str) -> None:
    result = _normalize(name)
    assert result.posts == [] and result.errors == [] and result.fetches == []
    assert [(s.code, s.native_id) for s in result.skipped] == [(code, native)]


def test_a_comment_naming_no_story_at_all_is_an_error_not_a_guess() -> None:
    body = fixture_json("facebook", "restfb_ratings_comment_edited.json")
    value = body["entry"][0]["changes"][0]["value"]
    del value["post_id"], value["parent_id"]
    result = FB.normalize(raw(body))
    assert result.posts == [] and result.fetches == []
    assert [(e.code, e.native_id) for e in result.errors] == [
        ("missing_field", "716630661754264_994838177266843")
    ]
