"""Reddit listings and comment trees: documented shapes, relay signature, polling cursor."""

from __future__ import annotations

import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.reddit.inbound import RedditConnector
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
    relay_headers,
)
from services.ingest.tests.handmade_reddit import HANDMADE_COMMENTS_TREE, HANDMADE_NEW_LISTING

pytestmark = pytest.mark.unit
RD = RedditConnector()
SELF_POST = expected(
    id="reddit:t3_1b2c3d",
    platform="reddit",
    channel="r/chorus",
    kind="post",
    native_id="t3_1b2c3d",
    url="https://www.reddit.com/r/chorus/comments/1b2c3d/app_crashes_after_update/",
    thread_id="reddit:t3_1b2c3d",
    author={
        "id": "t2_8kq3l",
        "handle": "u/frustrated_fan",
        "display_name": "frustrated_fan",
        "url": "https://www.reddit.com/user/frustrated_fan",
    },
    text="App crashes after update\n\nDepuis la mise à jour, l'appli plante au démarrage 😤\n\n"
    "Quelqu'un d'autre ? u/chorus_team",
    created_at="2024-05-02T12:00:00Z",
    metrics={"likes": 57, "shares": 0, "replies": 3, "views": 0},
)


def test_reddit_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["reddit"], RedditConnector)
    assert isinstance(POLL_SOURCES["reddit"], RedditConnector)


def test_submission_listing_maps_every_canonical_field() -> None:
    result = RD.normalize(raw(HANDMADE_NEW_LISTING))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        SELF_POST,
        expected(
            id="reddit:t3_1b2c9z",
            platform="reddit",
            channel="r/chorus",
            kind="post",
            native_id="t3_1b2c9z",
            url="https://www.reddit.com/r/chorus/comments/1b2c9z/review_chorus_vs_the_rest/",
            thread_id="reddit:t3_1b2c9z",
            author={
                "id": "t2_55aa1",
                "handle": "u/techreviewer",
                "display_name": "techreviewer",
                "url": "https://www.reddit.com/user/techreviewer",
            },
            text="Review: Chorus vs the rest",
            created_at="2024-05-02T08:53:20Z",
            metrics={"likes": 12, "shares": 0, "replies": 0, "views": 0},
            media=[{"type": "link", "url": "https://blog.example.com/chorus-review"}],
        ),
    ]


def test_comment_tree_pair_threads_every_comment_on_the_submission() -> None:
    result = RD.normalize(raw(HANDMADE_COMMENTS_TREE))
    assert result.errors == []
    post, top, reply = (canonical(p) for p in result.posts)
    assert post == SELF_POST
    assert top == expected(
        id="reddit:t1_kx1",
        platform="reddit",
        channel="r/chorus",
        kind="comment",
        native_id="t1_kx1",
        url="https://www.reddit.com/r/chorus/comments/1b2c3d/app_crashes_after_update/kx1/",
        thread_id="reddit:t3_1b2c3d",
        in_reply_to="reddit:t3_1b2c3d",
        author={
            "id": "t2_77bb2",
            "handle": "u/same_here",
            "display_name": "same_here",
            "url": "https://www.reddit.com/user/same_here",
        },
        text="Same on Android 14 & iOS <17>",
        created_at="2024-05-02T12:13:20Z",
        metrics={"likes": 21, "shares": 0, "replies": 0, "views": 0},
    )
    assert reply == expected(
        id="reddit:t1_kx2",
        platform="reddit",
        channel="r/chorus",
        kind="reply",
        native_id="t1_kx2",
        url="https://www.reddit.com/r/chorus/comments/1b2c3d/app_crashes_after_update/kx2/",
        thread_id="reddit:t3_1b2c3d",
        in_reply_to="reddit:t1_kx1",
        author={
            "id": "t2_team1",
            "handle": "u/chorus_team",
            "display_name": "chorus_team",
            "url": "https://www.reddit.com/user/chorus_team",
        },
        text="Sorry about that! A fix ships today — see https://status.example.com",
        created_at="2024-05-02T13:00:00Z",
        metrics={"likes": 9, "shares": 0, "replies": 0, "views": 0},
    )


def test_deeply_nested_reply_chains_are_walked_to_the_bottom() -> None:
    depth = 150  # about 750 JSON levels, within the parser's nesting limit
    body = ""
    for n in range(depth, 0, -1):
        parent = f"t1_c{n - 1}" if n > 1 else "t3_p"
        replies = f'{{"kind": "Listing", "data": {{"children": [{body}]}}}}' if body else '""'
        body = (
            f'{{"kind": "t1", "data": {{"name": "t1_c{n}", "parent_id": "{parent}", '
            f'"link_id": "t3_p", "body": "level {n}", "created_utc": {1714651200 + n}, '
            f'"author": "a", "replies": {replies}}}}}'
        )
    result = RD.normalize(raw(f'{{"kind": "Listing", "data": {{"children": [{body}]}}}}'.encode()))
    assert len(result.posts) == depth and result.errors == []
    assert {p.thread_id for p in result.posts} == {"reddit:t3_p"}
    assert result.posts[-1].in_reply_to == f"reddit:t1_c{depth - 1}"


def test_nesting_beyond_the_json_parser_limit_is_a_clear_error() -> None:
    with pytest.raises(NormalizeError) as info:
        RD.normalize(raw(b"[" * 5000 + b"]" * 5000))
    assert info.value.code == "invalid_json"


def test_one_bad_thing_becomes_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_NEW_LISTING)
    doc["data"]["children"][0]["data"]["created_utc"] = "soon"
    doc["data"]["children"].append({"kind": "t5", "data": {"name": "t5_sub"}})
    result = RD.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["t3_1b2c9z"]
    assert [(e.code, e.index, e.native_id) for e in result.errors] == [
        ("invalid_time", 0, "t3_1b2c3d"),
    ]
    assert [(s.code, s.index, s.native_id) for s in result.skipped] == [
        ("unsupported_kind", 2, "t5_sub")
    ]


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"kind": "Listing"}', b"[1]", b'"t3"'])
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        RD.normalize(raw(body))


def test_relay_signature_valid_passes_and_tampered_body_fails() -> None:
    body = HANDMADE_NEW_LISTING
    headers = relay_headers("k", body)
    RD.verify(raw(body, headers=headers), {"signing_secret": "k"}, NOW)
    with pytest.raises(SignatureError) as info:
        RD.verify(raw(body + b" ", headers=headers), {"signing_secret": "k"}, NOW)
    assert info.value.status == 403
    with pytest.raises(SignatureError) as info:
        RD.verify(raw(body), {"signing_secret": "k"}, NOW)
    assert info.value.status == 401


def test_poll_request_for_new_submissions_of_a_subreddit() -> None:
    req = RD.poll_request({"subreddit": "r/chorus", "access_token": "tok"}, {"page": "t3_abc"})
    assert req.url == "https://oauth.reddit.com/r/chorus/new.json"
    assert req.params == {"limit": "100", "raw_json": "1", "after": "t3_abc"}
    assert req.headers["Authorization"] == "Bearer tok"
    assert req.headers["User-Agent"]


def test_poll_request_for_a_search_and_for_new_comments() -> None:
    search = RD.poll_request({"query": "chorus app"}, {})
    assert search.url == "https://oauth.reddit.com/search.json"
    assert search.params["q"] == "chorus app" and search.params["sort"] == "new"
    comments = RD.poll_request({"subreddit": "chorus", "comments": True}, {})
    assert comments.url == "https://oauth.reddit.com/r/chorus/comments.json"
    with pytest.raises(ValueError, match="subreddit"):
        RD.poll_request({}, {})


def test_cursor_follows_after_then_closes_the_sweep() -> None:
    page = raw(HANDMADE_NEW_LISTING)
    cursor = RD.advance({}, RD.normalize(page), page)
    assert cursor == {"page": "t3_1b2c9z", "sweep_newest": "2024-05-02T12:00:00+00:00"}
    last = raw({"kind": "Listing", "data": {"after": None, "children": []}})
    cursor = RD.advance(cursor, RD.normalize(last), last)
    assert cursor == {"since": "2024-05-02T12:00:00+00:00"}
    assert RD.advance(cursor, RD.normalize(page), page) == cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        mutated(json.loads(HANDMADE_COMMENTS_TREE)),
        mutated(json.loads(HANDMADE_NEW_LISTING)),
    )
)
def test_hostile_reddit_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(RD, raw(body))


def test_reddit_fixture_is_the_documented_listing_pair() -> None:
    pair = json.loads(HANDMADE_COMMENTS_TREE)
    assert [node["kind"] for node in pair] == ["Listing", "Listing"]
