"""YouTube comment threads and comments: documented pages, relay signature, polling cursor."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from chorus_platforms.youtube.inbound import YouTubeConnector
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
from services.ingest.tests.handmade_youtube import HANDMADE_COMMENT_THREADS, HANDMADE_COMMENTS_LIST

pytestmark = pytest.mark.unit
YT = YouTubeConnector()
T1 = "UgzX2vQmZp8n4YxYlVd4AaABAg"
T2 = "UgyQ9wz3Hh7Nn2kL0Q14AaABAg"
VIDEO = "dQw4w9WgXcQ"


def test_youtube_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["youtube"], YouTubeConnector)
    assert isinstance(POLL_SOURCES["youtube"], YouTubeConnector)


def test_comment_threads_page_maps_every_canonical_field() -> None:
    result = YT.normalize(raw(HANDMADE_COMMENT_THREADS))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id=f"youtube:{T1}",
            platform="youtube",
            channel=VIDEO,
            kind="comment",
            native_id=T1,
            url=f"https://www.youtube.com/watch?v={VIDEO}&lc={T1}",
            thread_id=f"youtube:{VIDEO}",
            in_reply_to=f"youtube:{VIDEO}",
            author={
                "id": "UCcamille0000000000000",
                "handle": "@camille_dev",
                "display_name": "@camille_dev",
                "url": "http://www.youtube.com/@camille_dev",
            },
            text="Le nouveau modèle chauffe énormément 🔥 #chorus @ChorusSupport https://example.com/bug",
            created_at="2024-05-02T14:03:11Z",
            metrics={"likes": 12, "shares": 0, "replies": 1, "views": 0},
        ),
        expected(
            id=f"youtube:{T1}.9zQ1a2B3c4D",
            platform="youtube",
            channel=VIDEO,
            kind="reply",
            native_id=f"{T1}.9zQ1a2B3c4D",
            url=f"https://www.youtube.com/watch?v={VIDEO}&lc={T1}.9zQ1a2B3c4D",
            thread_id=f"youtube:{VIDEO}",
            in_reply_to=f"youtube:{T1}",
            author={
                "id": "UCbrandChannel000000000",
                "handle": "@ChorusSupport",
                "display_name": "@ChorusSupport",
                "url": "http://www.youtube.com/@ChorusSupport",
            },
            text="Merci Camille, on regarde ça !",
            created_at="2024-05-02T15:00:00Z",
            metrics={"likes": 2, "shares": 0, "replies": 0, "views": 0},
            # the video owner's channel answering: brand activity
            from_brand=True,
        ),
        expected(
            id=f"youtube:{T2}",
            platform="youtube",
            channel=VIDEO,
            kind="comment",
            native_id=T2,
            url=f"https://www.youtube.com/watch?v={VIDEO}&lc={T2}",
            thread_id=f"youtube:{VIDEO}",
            in_reply_to=f"youtube:{VIDEO}",
            author={
                "id": "UCsam00000000000000000",
                "handle": "@sam",
                "display_name": "@sam",
                "url": "http://www.youtube.com/@sam",
            },
            # textDisplay in the default html format: reduced to text, entities decoded
            text="Great video & thanks!\nLink: https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            created_at="2024-05-01T08:00:00Z",
        ),
    ]


def test_comments_list_reply_without_video_joins_the_thread_of_its_parent() -> None:
    [post] = YT.normalize(raw(HANDMADE_COMMENTS_LIST, channel="brand-yt")).posts
    assert canonical(post) == expected(
        id=f"youtube:{T1}.9zQ5e6F7g8H",
        platform="youtube",
        channel="brand-yt",
        kind="reply",
        native_id=f"{T1}.9zQ5e6F7g8H",
        thread_id=f"youtube:{T1}",
        in_reply_to=f"youtube:{T1}",
        author={
            "id": "UClea00000000000000000",
            "handle": "@lea",
            "display_name": "@lea",
            "url": "http://www.youtube.com/@lea",
        },
        text="Pareil chez moi @camille_dev",
        created_at="2024-05-03T07:30:00Z",
        metrics={"likes": 1, "shares": 0, "replies": 0, "views": 0},
    )


def test_one_bad_thread_becomes_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_COMMENT_THREADS)
    doc["items"][1]["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = "yesterday"
    result = YT.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == [T1, f"{T1}.9zQ1a2B3c4D"]
    [error] = result.errors
    assert (error.code, error.index, error.native_id, error.field) == (
        "invalid_time",
        1,
        T2,
        "snippet.publishedAt",
    )


@pytest.mark.parametrize(
    "body", [b"\xff\xfe", b'"text"', b'{"items": "x"}', b'{"kind": "youtube#video"}']
)
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        YT.normalize(raw(body))


def test_relay_signature_valid_passes() -> None:
    body = HANDMADE_COMMENT_THREADS
    YT.verify(raw(body, headers=relay_headers("k", body)), {"signing_secret": "k"}, NOW)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "signature_missing"),
        (relay_headers("wrong", b"{}"), 403, "signature_mismatch"),
        (relay_headers("k", b"{}", at=NOW - timedelta(minutes=10)), 403, "signature_replayed"),
        (relay_headers("k", b'{"tampered": 1}'), 403, "signature_mismatch"),
    ],
)
def test_relay_signature_missing_wrong_replayed_or_tampered_is_rejected(
    headers: dict[str, str], status: int, code: str
) -> None:
    with pytest.raises(SignatureError) as info:
        YT.verify(raw(b"{}", headers=headers), {"signing_secret": "k"}, NOW)
    assert (info.value.status, info.value.code) == (status, code)


def test_poll_request_reads_threads_of_a_video_newest_first() -> None:
    req = YT.poll_request({"video_id": VIDEO, "api_key": "AIza-key"}, {"page": "P2"})
    assert req.url == "https://www.googleapis.com/youtube/v3/commentThreads"
    assert req.params == {
        "part": "snippet,replies",
        "maxResults": "100",
        "order": "time",
        "textFormat": "plainText",
        "key": "AIza-key",
        "videoId": VIDEO,
        "pageToken": "P2",
    }


def test_poll_request_for_a_channel_uses_all_threads_related_to_it() -> None:
    req = YT.poll_request(
        {"channel_id": "UCbrand", "api_key": "k", "base_url": "http://127.0.0.1:9"}, {}
    )
    assert req.url == "http://127.0.0.1:9/commentThreads"
    assert req.params["allThreadsRelatedToChannelId"] == "UCbrand"
    assert "pageToken" not in req.params


def test_poll_request_without_api_key_is_a_clear_config_error() -> None:
    with pytest.raises(ValueError, match="api_key"):
        YT.poll_request({"video_id": VIDEO}, {})


def test_cursor_pages_through_a_sweep_then_stops_at_the_newest_seen() -> None:
    page = raw(HANDMADE_COMMENT_THREADS)
    cursor = YT.advance({}, YT.normalize(page), page)
    assert cursor == {"page": "QURTSl9pMlQ0", "sweep_newest": "2024-05-02T15:00:00+00:00"}
    end = raw({"kind": "youtube#commentThreadListResponse", "items": []})
    cursor = YT.advance(cursor, NormalizeResult(), end)
    assert cursor == {"since": "2024-05-02T15:00:00+00:00"}
    # the same page again reaches known items: no further paging, since unchanged
    assert YT.advance(cursor, YT.normalize(page), page) == cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), mutated(json.loads(HANDMADE_COMMENT_THREADS))))
def test_hostile_youtube_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(YT, raw(body))
