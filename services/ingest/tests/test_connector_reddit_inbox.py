"""Reddit inbox pages recorded by PRAW (fixtures/reddit/SOURCES.md), field by field: a username
mention, a comment reply and a private message (t4); the brand account's own items; skips."""

from __future__ import annotations

import pytest
from chorus_platforms.reddit.inbound import RedditConnector
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.social_kit import assert_clean, hostile

pytestmark = pytest.mark.unit
RD = RedditConnector()


def test_username_mention_threads_under_the_post_named_in_its_context() -> None:
    result = RD.normalize(raw(fixture("reddit", "inbox_mentions.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="reddit:t1_da2g9oh",
            platform="reddit",
            channel="r/PRAW_73oy54eo3a",
            kind="mention",
            native_id="t1_da2g9oh",
            url="https://www.reddit.com/r/PRAW_73oy54eo3a/comments/5d7tk7/calling_test/da2g9oh/"
            "?context=3",
            thread_id="reddit:t3_5d7tk7",
            in_reply_to="reddit:t3_5d7tk7",
            author={
                "id": "PyAPITestUser3",
                "handle": "u/PyAPITestUser3",
                "display_name": "PyAPITestUser3",
                "url": "https://www.reddit.com/user/PyAPITestUser3",
            },
            text="But seriously, /u/pyapitestuser2, donde esta?",
            created_at="2016-11-16T06:37:33Z",
        )
    ]


def test_comment_reply_answers_its_parent_comment_in_the_posts_thread() -> None:
    result = RD.normalize(raw(fixture("reddit", "inbox_comment_reply.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="reddit:t1_myngt77",
            platform="reddit",
            channel="r/Lil_SpazJoekp",
            kind="reply",
            native_id="t1_myngt77",
            url="https://www.reddit.com/r/Lil_SpazJoekp/comments/1j7g9uj/test_post_pls_ignore/"
            "myngt77/?context=3",
            thread_id="reddit:t3_1j7g9uj",
            in_reply_to="reddit:t1_mynfuan",
            author={
                "id": "t2_75u2lqkb",
                "handle": "u/Lil_SpazTest",
                "display_name": "Lil_SpazTest",
                "url": "https://www.reddit.com/user/Lil_SpazTest",
            },
            text="Reply",
            created_at="2025-06-19T15:57:51Z",
            metrics={"likes": 1, "shares": 0, "replies": 0, "views": 0},
        )
    ]


def test_private_message_is_a_dm_whose_thread_is_its_conversation() -> None:
    result = RD.normalize(raw(fixture("reddit", "message_t4.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="reddit:t4_30rhflk",
            platform="reddit",
            channel="r/Lil_SpazJoekp",
            kind="dm",
            native_id="t4_30rhflk",
            thread_id="reddit:t4_30rhflk",
            author={
                "id": "t2_75u2lqkb",
                "handle": "u/Lil_SpazTest",
                "display_name": "Lil_SpazTest",
                "url": "https://www.reddit.com/user/Lil_SpazTest",
            },
            text="Test\n\nTest",
            created_at="2025-06-19T16:25:42Z",
        )
    ]


def test_a_later_message_answers_its_parent_in_the_first_messages_conversation() -> None:
    doc = fixture_json("reddit", "message_t4.json")
    data = doc["data"]["children"][0]["data"]
    data["first_message_name"], data["parent_id"] = "t4_30rh000", "t4_30rh111"
    (post,) = RD.normalize(raw(doc)).posts
    assert (post.thread_id, post.in_reply_to) == ("reddit:t4_30rh000", "reddit:t4_30rh111")


def test_the_brand_accounts_own_items_are_brand_posts() -> None:
    body = fixture("reddit", "inbox_comment_reply.json")
    (mine,) = RD.normalize(raw(body, channel="u/lil_spaztest")).posts
    assert mine.from_brand is True and mine.channel == "u/lil_spaztest"
    (theirs,) = RD.normalize(raw(body, channel="u/someone_else")).posts
    assert theirs.from_brand is False


def test_more_stubs_and_deleted_comments_are_skipped_with_their_reason() -> None:
    doc = fixture_json("reddit", "inbox_mentions.json")
    gone = doc["data"]["children"][0]["data"]
    gone["author"], gone["body"] = "[deleted]", "[deleted]"
    doc["data"]["children"].append({"kind": "more", "data": {"id": "x1", "name": "t1_x1"}})
    result = RD.normalize(raw(doc))
    assert result.posts == [] and result.errors == []
    assert [(s.code, s.index, s.native_id) for s in result.skipped] == [
        ("deleted", 0, "t1_da2g9oh"),
        ("not_loaded", 1, "t1_x1"),
    ]


def test_inbox_polling_reads_the_accounts_message_folder() -> None:
    request = RD.poll_request({"inbox": "inbox", "access_token": "t"}, {"page": "t1_a"})
    assert request.url == "https://oauth.reddit.com/message/inbox"
    assert request.params == {"limit": "100", "raw_json": "1", "after": "t1_a"}
    with pytest.raises(ValueError):
        RD.poll_request({"inbox": "everything"}, {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hostile(fixture_json("reddit", "inbox_mentions.json"))
    | hostile(fixture_json("reddit", "message_t4.json"))
)
def test_hostile_inbox_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(RD, raw(body, channel="u/brand"))
