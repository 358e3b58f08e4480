"""Facebook Page fields beyond the feed's visitor posts: mentions (read when the notification
has no text), recommendations, status posts, the page's own activity and the older
``sender_id``/``sender_name`` shape; every item is a post, a skip or a read."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.items import complete

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
FB = FacebookConnector()
PAGE = "448242228374517"
STORY = "1790339347677389"


def _page(field: str, value: dict[str, Any], time: int = 1742667605) -> dict[str, Any]:
    change = {"field": field, "value": value}
    return {"object": "page", "entry": [{"id": PAGE, "time": time, "changes": [change]}]}


def test_the_documented_status_post_maps_every_field() -> None:
    (post,) = FB.normalize(raw(fixture("facebook", "feed_status_test_delivery.json"))).posts
    assert canonical(post) == expected(
        id="facebook:44444444_444444444",
        platform="facebook",
        channel="0",
        kind="post",
        native_id="44444444_444444444",
        thread_id="facebook:44444444_444444444",
        author={"id": "1067280970047460", "display_name": "Test Page"},
        text="Example post content.",
        created_at="2018-11-30T20:14:02Z",
    )


def test_a_mention_without_text_reads_the_post_and_keeps_the_sender() -> None:
    result = FB.normalize(raw(fixture("facebook", "mention_test_delivery.json")))
    assert result.posts == [] and result.errors == []
    (fetch,) = result.fetches
    assert (fetch.index, fetch.native_id) == (0, "44444444_444444444")
    assert (fetch.path, fetch.token) == ("v21.0/44444444_444444444", "access_token")
    assert fetch.params == {"fields": "id,message,created_time,from,permalink_url"}
    answer = {
        "id": "44444444_444444444",
        "message": "Breakfast at @Chorus Café was perfect",
        "created_time": "2018-11-30T20:14:35+0000",
        "permalink_url": "https://www.facebook.com/44444444/posts/444444444",
    }
    (post,) = complete(fetch, answer).posts
    assert canonical(post) == expected(
        id="facebook:44444444_444444444",
        platform="facebook",
        channel="0",
        kind="mention",
        native_id="44444444_444444444",
        url="https://www.facebook.com/44444444/posts/444444444",
        thread_id="facebook:44444444_444444444",
        author={"id": "44444444", "display_name": "Example Name"},
        text="Breakfast at @Chorus Café was perfect",
        created_at="2018-11-30T20:14:35Z",
    )


def test_a_comment_mention_with_its_message_replies_to_the_post() -> None:
    value = {
        "item": "comment",
        "verb": "add",
        "post_id": "5550001_777",
        "comment_id": "777_888",
        "sender_id": "5550001",
        "sender_name": "Lou",
        "message": "ask @Chorus Café",
        "created_time": 1742667600,
    }
    (post,) = FB.normalize(raw(_page("mention", value))).posts
    assert (post.kind, post.native_id, post.thread_id, post.in_reply_to) == (
        "mention",
        "777_888",
        "facebook:5550001_777",
        "facebook:5550001_777",
    )
    assert (post.author.id, post.author.display_name, post.text) == (
        "5550001",
        "Lou",
        "ask @Chorus Café",
    )


@pytest.mark.parametrize(
    ("extra", "rating"),
    [
        ({"recommendation_type": "positive"}, 5),
        ({"recommendation_type": "negative"}, 1),
        ({"recommendation_type": "positive", "rating": 4}, 4),
        ({}, None),
    ],
)
def test_a_recommendation_is_a_review_with_its_rating(extra: dict[str, Any], rating: Any) -> None:
    value = {
        "item": "rating",
        "verb": "add",
        "reviewer_id": "9128004410046113",
        "reviewer_name": "Marco Rossi",
        "review_text": "Great coffee, slow service",
        "open_graph_story_id": STORY,
        "created_time": 1742667600,
        **extra,
    }
    (post,) = FB.normalize(raw(_page("ratings", value))).posts
    assert canonical(post) == expected(
        id=f"facebook:{STORY}",
        platform="facebook",
        channel=PAGE,
        kind="review",
        native_id=STORY,
        thread_id=f"facebook:{STORY}",
        author={"id": "9128004410046113", "display_name": "Marco Rossi"},
        text="Great coffee, slow service",
        created_at="2025-03-22T18:20:00Z",
        rating=rating,
    )


def test_the_pages_comment_under_a_recommendation_is_brand_activity_in_its_thread() -> None:
    value = {
        "item": "comment",
        "verb": "add",
        "open_graph_story_id": STORY,
        "comment_id": f"{STORY}_42",
        "sender_id": PAGE,
        "sender_name": "Chorus Café",
        "message": "Merci Marco !",
    }
    (post,) = FB.normalize(raw(_page("ratings", value))).posts
    assert (post.kind, post.thread_id, post.in_reply_to) == (
        "comment",
        f"facebook:{STORY}",
        f"facebook:{STORY}",
    )
    assert post.from_brand is True and post.created_at.isoformat() == "2025-03-22T18:20:05+00:00"


def test_the_pages_own_post_and_the_older_sender_shape_are_posts() -> None:
    own = {
        "item": "status",
        "verb": "add",
        "post_id": f"{PAGE}_1",
        "from": {"id": PAGE},
        "message": "Open on Sunday",
    }
    older = {
        "item": "post",
        "verb": "add",
        "post_id": f"{PAGE}_2",
        "sender_id": "42",
        "sender_name": "Ana",
        "message": "hi",
    }
    brand = FB.normalize(raw(_page("feed", own))).posts[0]
    visitor = FB.normalize(raw(_page("feed", older))).posts[0]
    assert (brand.from_brand, brand.author.id, brand.text) == (True, PAGE, "Open on Sunday")
    assert (visitor.from_brand, visitor.author.id, visitor.author.display_name) == (
        False,
        "42",
        "Ana",
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("ratings", {"item": "rating", "verb": "remove", "reviewer_id": "1"}, "deleted"),
        ("feed", {"item": "like", "verb": "add", "post_id": "1_2"}, "reaction"),
        ("feed", {"item": "comment", "verb": "hide", "post_id": "1_2"}, "moderation"),
        ("feed", {"item": "event", "verb": "add", "post_id": "1_2"}, "unsupported_item"),
        ("mention", {"item": "post", "verb": "remove", "post_id": "1_2"}, "deleted"),
        ("leadgen", {"leadgen_id": "1"}, "unsupported_field"),
    ],
)
def test_what_is_not_a_post_is_skipped_with_its_reason(
    field: str, value: dict[str, Any], code: str
) -> None:
    result = FB.normalize(raw(_page(field, value)))
    assert result.posts == [] and result.errors == []
    assert [(k.code, k.index) for k in result.skipped] == [(code, 0)]


def test_a_graph_comment_without_its_author_is_read_again_with_it() -> None:
    bare = {
        "data": [
            {
                "id": "122131676912594941_5",
                "message": "hello",
                "created_time": "2025-03-22T18:15:04+0000",
            }
        ]
    }
    result = FB.normalize(raw(bare, channel=PAGE))
    (fetch,) = result.fetches
    assert fetch.path == "v21.0/122131676912594941_5"
    full = {**bare["data"][0], "from": {"id": "77", "name": "Iris"}}
    (post,) = complete(fetch, full).posts
    assert (post.author.id, post.thread_id) == ("77", f"facebook:{PAGE}_122131676912594941")
    again = complete(fetch, bare["data"][0])
    assert [(e.code, e.index) for e in again.errors] == [("missing_author", 0)]
