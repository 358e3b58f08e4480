"""YouTube: API responses recorded by the python-youtube client (fixtures/youtube/SOURCES.md),
field by field — a top-level comment answers its video, a reply its top-level comment, the
brand channel's own comment is brand activity, a lone comment with no video stands alone."""

from __future__ import annotations

import pytest
from chorus_platforms.youtube.inbound import YouTubeConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
YT = YouTubeConnector()
TOP = "UgxKREWxIgDrw8w2e_Z4AaABAg"
VIDEO = "D-lhorsDlUQ"
AUTHOR = "UClfzT4CU_yaZjJaI4pKqSjQ"


def test_top_level_comment_answers_its_video() -> None:
    result = YT.normalize(raw(fixture("youtube", "pyyoutube_comment_thread_single.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id=f"youtube:{TOP}",
            platform="youtube",
            channel=VIDEO,
            kind="comment",
            native_id=TOP,
            url=f"https://www.youtube.com/watch?v={VIDEO}&lc={TOP}",
            thread_id=f"youtube:{VIDEO}",
            in_reply_to=f"youtube:{VIDEO}",
            author={
                "id": AUTHOR,
                "display_name": "Hieu Nguyen",
                "url": f"http://www.youtube.com/channel/{AUTHOR}",
            },
            text="Super video !!!\nWith full power skil  thank a lot ... \nVery nice , coupe \n"
            "can i give Luke Davit and JESSICA EARl- CHA some tea and tall a more ...",
            created_at="2019-04-20T01:03:39Z",
        )
    ]


def test_the_brand_channels_own_comment_is_brand_activity() -> None:
    body = fixture("youtube", "pyyoutube_comment_thread_single.json")
    (post,) = YT.normalize(raw(body, channel=AUTHOR)).posts
    assert post.from_brand is True and post.channel == AUTHOR
    (other,) = YT.normalize(raw(body, channel="UCsomeoneelse")).posts
    assert other.from_brand is False


def test_reply_answers_its_top_level_comment() -> None:
    result = YT.normalize(raw(fixture("youtube", "pyyoutube_comments_by_parent.json"), channel="b"))
    reply = "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za3E-eR-l"
    assert [canonical(p) for p in result.posts] == [
        expected(
            id=f"youtube:{reply}",
            platform="youtube",
            channel="b",
            kind="reply",
            native_id=reply,
            thread_id="youtube:Ugw5zYU6n9pmIgAZWvN4AaABAg",
            in_reply_to="youtube:Ugw5zYU6n9pmIgAZWvN4AaABAg",
            author={
                "id": "UCNvMBmCASzTNNX8lW3JRMbw",
                "display_name": "kun liu",
                "url": "http://www.youtube.com/channel/UCNvMBmCASzTNNX8lW3JRMbw",
            },
            text="hey, this is the replay",
            created_at="2019-12-01T04:46:00Z",
        )
    ]


def test_a_lone_comment_naming_no_video_stands_alone() -> None:
    result = YT.normalize(raw(fixture("youtube", "pyyoutube_comments_single.json")))
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="youtube:UgyUBI0HsgL9emxcZpR4AaABAg",
            platform="youtube",
            channel="youtube",
            kind="comment",
            native_id="UgyUBI0HsgL9emxcZpR4AaABAg",
            thread_id="youtube:UgyUBI0HsgL9emxcZpR4AaABAg",
            author={
                "id": "UCTWlvHQQXUs-4IVfdnGOUbw",
                "display_name": "DevRagz",
                "url": "http://www.youtube.com/channel/UCTWlvHQQXUs-4IVfdnGOUbw",
            },
            text="Hello",
            created_at="2019-06-23T02:49:00Z",
        )
    ]


def test_a_recorded_thread_page_reads_the_original_text_and_counts_unread_replies() -> None:
    page = fixture("youtube", "pyyoutube_comment_threads_by_video.json")
    result = YT.normalize(raw(page, channel="UCnUYZLuoy1rq1aVMwx4aTzw"))
    assert result.errors == [] and result.skipped == [] and result.fetches == []
    posts = [canonical(p) for p in result.posts]
    assert [p["native_id"] for p in posts] == [
        "UgyZ1jqkHKYvi1-ruOZ4AaABAg",
        "Ugy4OzAuz5uJuFt3FH54AaABAg",
        "UgysQP-vp089eFP0Stl4AaABAg",
        "UgyKv8ziPYFJDGytM_J4AaABAg",
        "UgwI_ylXVnzPS8Q-oAV4AaABAg",
    ]
    native = "UgyKv8ziPYFJDGytM_J4AaABAg"
    # textDisplay carries HTML (<br />); the post keeps textOriginal, newline and all
    assert posts[3] == expected(
        id=f"youtube:{native}",
        platform="youtube",
        channel="UCnUYZLuoy1rq1aVMwx4aTzw",
        kind="comment",
        native_id=native,
        url=f"https://www.youtube.com/watch?v=F1UP7wRCPH8&lc={native}",
        thread_id="youtube:F1UP7wRCPH8",
        in_reply_to="youtube:F1UP7wRCPH8",
        author={
            "id": "UCHJQ8PHPGprvhKdLVHLwRPA",
            "display_name": "Masum Khan",
            "url": "http://www.youtube.com/channel/UCHJQ8PHPGprvhKdLVHLwRPA",
        },
        text="All account on Android store for data show the Google and YouTube video "
        "Android computer system fordata show\n        settings displayed",
        created_at="2019-11-16T20:05:39Z",
        metrics={"likes": 1, "shares": 0, "replies": 0, "views": 0},
    )
    # the last thread names two replies the page does not embed: counted, read by the poll
    assert posts[4]["metrics"]["replies"] == 2
    assert posts[4]["text"].startswith("Lot's of good light")
