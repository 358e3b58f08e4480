"""X: the documented examples, verbatim (fixtures/x/SOURCES.md), field by field — v1.1 statuses
(reply, repost, quote, the bare root-level object), Account Activity event samples and API v2
tweets and DM events, minimal fields included."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_platforms.x.inbound import XConnector
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.social_kit import assert_clean, hostile

pytestmark = pytest.mark.unit
X = XConnector()
TWITTER_DEV = "2244994945"
OTHER = "783214"
DEV_AUTHOR = {
    "id": TWITTER_DEV,
    "handle": "TwitterDev",
    "display_name": "Twitter Dev",
    "followers": 513958,
    "verified": True,
    "url": "https://x.com/TwitterDev",
}


def _skips(result: Any) -> list[tuple[str, int | None, str | None]]:
    return [(s.code, s.index, s.native_id) for s in result.skipped]


def _errors(result: Any) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(e.code, e.index, e.native_id, e.field) for e in result.errors]


def test_v1_reply_status_maps_every_canonical_field() -> None:
    result = X.normalize(raw(fixture("x", "v1_status_reply.json"), channel=OTHER))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:1307025659294674945",
            platform="x",
            channel=OTHER,
            kind="reply",
            native_id="1307025659294674945",
            url="https://x.com/TwitterDev/status/1307025659294674945",
            thread_id="x:1304102743196356610",
            in_reply_to="x:1304102743196356610",
            author=DEV_AUTHOR,
            text="Here\u2019s an article that highlights the updates in the new Tweet payload v2 "
            "https://t.co/oeF3ZHeKQQ",
            lang="en",
            created_at="2020-09-18T18:36:15Z",
            metrics={"likes": 70, "shares": 11, "replies": 0, "views": 0},
        )
    ]


def test_the_brands_own_status_is_a_brand_post() -> None:
    (post,) = X.normalize(raw(fixture("x", "v1_status_reply.json"), channel=TWITTER_DEV)).posts
    assert post.from_brand is True and post.kind == "reply"


def test_a_repost_is_skipped_with_its_reason() -> None:
    result = X.normalize(raw(fixture("x", "v1_retweet.json"), channel=TWITTER_DEV))
    assert result.posts == [] and result.errors == []
    assert _skips(result) == [("repost", 0, "1229851574555508737")]


def test_a_quote_keeps_its_own_words_and_the_brands_quote_is_brand_activity() -> None:
    result = X.normalize(raw(fixture("x", "v1_quote_extended.json"), channel=TWITTER_DEV))
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:1328399838128467969",
            platform="x",
            channel=TWITTER_DEV,
            kind="post",
            native_id="1328399838128467969",
            url="https://x.com/TwitterDev/status/1328399838128467969",
            thread_id="x:1328399838128467969",
            author=DEV_AUTHOR,
            text="As planned, the Labs v2 endpoints referenced below have now been retired. "
            "Please let us know in the forums if you have questions or need help with the "
            "Twitter API v2! https://t.co/JaxttUMmjX",
            lang="en",
            created_at="2020-11-16T18:09:36Z",
            metrics={"likes": 29, "shares": 7, "replies": 0, "views": 0},
            from_brand=True,
        )
    ]
    # quoting the brand is a mention of it when someone else quotes
    (other,) = X.normalize(raw(fixture("x", "v1_quote_extended.json"), channel=OTHER)).posts
    assert other.kind == "post" and other.from_brand is False


def test_the_documented_root_level_status_has_no_author_and_says_so() -> None:
    result = X.normalize(raw(fixture("x", "v1_tweet_object_root.json"), channel=OTHER))
    assert result.posts == []
    assert _errors(result) == [("missing_author", 0, "1050118621198921728", "user.id_str")]


def test_documented_account_activity_dm_reads_what_the_sample_gives() -> None:
    # the sample nests the user objects inside "apps": no users map, so the author is the id
    result = X.normalize(raw(fixture("x", "aaa_doc_direct_message.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:954491830116155396",
            platform="x",
            channel="4337869213",
            kind="dm",
            native_id="954491830116155396",
            thread_id="x:3001969357-4337869213",
            author={"id": "3001969357"},
            text="Hello World!",
            created_at="2018-01-19T23:12:40.557000Z",
        )
    ]


@pytest.mark.parametrize(
    ("name", "skip"),
    [
        ("aaa_doc_typing.json", ("typing", 0, None)),
        ("aaa_doc_mark_read.json", ("read_receipt", 0, None)),
        ("aaa_doc_tweet_delete.json", ("deleted", 0, "1045405559317569537")),
        ("aaa_doc_user_event_revoke.json", ("revoke", 0, None)),
    ],
)
def test_documented_activity_events_that_are_not_posts_are_skipped(
    name: str, skip: tuple[str, int, str | None]
) -> None:
    result = X.normalize(raw(fixture("x", name)))
    assert result.posts == [] and result.errors == []
    assert _skips(result) == [skip]


def test_documented_v2_lookup_reads_every_field_and_marks_the_brand() -> None:
    result = X.normalize(raw(fixture("x", "v2_lookup_quickstart.json"), channel=TWITTER_DEV))
    assert result.errors == [] and result.skipped == []
    first = canonical(result.posts[0])
    assert first == expected(
        id="x:1228393702244134912",
        platform="x",
        channel=TWITTER_DEV,
        kind="post",
        native_id="1228393702244134912",
        url="https://x.com/XDevelopers/status/1228393702244134912",
        thread_id="x:1228393702244134912",
        author={
            "id": TWITTER_DEV,
            "handle": "XDevelopers",
            "display_name": "Developers",
            "url": "https://x.com/XDevelopers",
        },
        text="What did the developer write in their Valentine\u2019s card?\n  \nwhile(true) {\n"
        "    I = Love(You);  \n}",
        created_at="2020-02-14T19:00:55Z",
        from_brand=True,
    )
    assert [(p.native_id, p.text, p.created_at.isoformat()) for p in result.posts[1:]] == [
        (
            "1227640996038684673",
            "Doctors: Googling stuff online does not make you a doctor\n\n"
            "Developers: https://t.co/mrju5ypPkb",
            "2020-02-12T17:09:56+00:00",
        ),
        ("1199786642791452673", "C#", "2019-11-27T20:26:41+00:00"),
    ]


def test_documented_v2_tweets_without_author_or_time_are_clear_item_errors() -> None:
    fields = X.normalize(raw(fixture("x", "v2_fields_tweet_fields.json"), channel=OTHER))
    assert fields.posts == []
    assert _errors(fields) == [("missing_author", 0, "1234567890", "data[0].author_id")]
    expansion = X.normalize(raw(fixture("x", "v2_fields_author_expansion.json"), channel=OTHER))
    assert expansion.posts == []
    assert _errors(expansion) == [("missing_field", 0, "1234567890", "data[0].created_at")]


def test_a_v2_tweet_without_created_at_takes_its_snowflake_time() -> None:
    doc = {"data": {"id": "1228393702244134912", "text": "t", "author_id": "12"}}
    (post,) = X.normalize(raw(doc, channel=OTHER)).posts
    assert post.created_at.isoformat() == "2020-02-14T19:00:55.723000+00:00"


def test_documented_v2_dm_event_maps_every_canonical_field() -> None:
    result = X.normalize(raw(fixture("x", "dm_events_quickstart.json"), channel="1500000000"))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="x:1234567890",
            platform="x",
            channel="1500000000",
            kind="dm",
            native_id="1234567890",
            thread_id="x:1500000000-9876543210",
            author={"id": "9876543210"},
            text="Hello! How are you?",
            created_at="2024-01-15T10:30:00Z",
        )
    ]


def test_documented_v2_dm_event_without_created_at_is_a_clear_item_error() -> None:
    result = X.normalize(raw(fixture("x", "dm_events_expansion.json"), channel="1500000000"))
    assert result.posts == []
    assert _errors(result) == [("missing_field", 0, "1234567890", "data[0].created_at")]


def test_v2_dm_conversation_membership_is_skipped_and_the_brands_message_kept() -> None:
    doc = {
        "data": [
            {
                "id": "1582838499983564806",
                "event_type": "MessageCreate",
                "text": "Hi everyone.",
                "sender_id": "944480690",
                "dm_conversation_id": "1578398451921985538",
                "created_at": "2022-10-19T20:58:00.000Z",
            },
            {
                "id": "1582835469712138240",
                "event_type": "ParticipantsJoin",
                "participant_ids": ["944480690"],
                "sender_id": "17200003",
                "dm_conversation_id": "1578398451921985538",
                "created_at": "2022-10-19T20:45:58.000Z",
            },
        ]
    }
    result = X.normalize(raw(doc, channel="944480690"))
    (post,) = result.posts
    assert (post.thread_id, post.from_brand, post.kind) == ("x:1578398451921985538", True, "dm")
    assert _skips(result) == [("membership", 1, "1582835469712138240")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hostile(fixture_json("x", "v1_quote_extended.json"))
    | hostile(fixture_json("x", "v2_lookup_quickstart.json"))
    | hostile(fixture_json("x", "dm_events_quickstart.json"))
    | hostile(fixture_json("x", "aaa_doc_tweet_delete.json"))
)
def test_hostile_v1_v2_and_dm_payloads_give_only_results_or_normalize_errors(
    body: bytes,
) -> None:
    assert_clean(X, raw(body, channel=OTHER))
