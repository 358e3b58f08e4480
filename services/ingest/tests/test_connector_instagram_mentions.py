"""Instagram items the notification only names: mentions (ids only) and comments without
their media or author are follow-up reads; the documented Graph answers build the posts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chorus_platforms.instagram.inbound import InstagramConnector
from chorus_platforms.kit.inbound import Fetch
from chorus_platforms.kit.items import complete

from services.ingest.tests.connector_kit import FIXTURES, canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
IG = InstagramConnector()
ACCOUNT = "17841405726653026"
MEDIA = "17918195224117851"
UNKNOWN = {"id": "unknown"}


def _answer(name: str) -> Any:
    return json.loads((FIXTURES / "instagram" / "graph_api" / name).read_text())


def _one_fetch(name: str) -> Fetch:
    result = IG.normalize(raw(fixture("instagram", name)))
    assert result.posts == [] and result.errors == [] and result.skipped == []
    (fetch,) = result.fetches
    return fetch


def test_a_comment_mention_reads_the_mentioned_comment_and_threads_on_the_media() -> None:
    fetch = _one_fetch("mentions_comment_webhook.json")
    assert (fetch.index, fetch.native_id, fetch.path) == (
        0,
        "17894227972186120",
        f"v21.0/{ACCOUNT}",
    )
    assert fetch.params == {
        "fields": "mentioned_comment.comment_id(17894227972186120){id,text,timestamp,like_count,media}"
    }
    (post,) = complete(fetch, _answer("mentioned_comment.json")).posts
    assert canonical(post) == expected(
        id="instagram:17894227972186120",
        platform="instagram",
        channel=ACCOUNT,
        kind="mention",
        native_id="17894227972186120",
        thread_id=f"instagram:{MEDIA}",
        in_reply_to=f"instagram:{MEDIA}",
        author=UNKNOWN,  # Meta does not say who wrote a mentioned comment
        text="@bluebottle challenge?",
        created_at="2018-03-20T00:05:29Z",
    )


def test_a_caption_mention_reads_the_mentioned_media() -> None:
    fetch = _one_fetch("mentions_media_webhook.json")
    assert fetch.params["fields"].startswith(f"mentioned_media.media_id({MEDIA}){{id,caption,")
    (post,) = complete(fetch, _answer("mentioned_media.json")).posts
    assert canonical(post) == expected(
        id=f"instagram:{MEDIA}",
        platform="instagram",
        channel=ACCOUNT,
        kind="mention",
        native_id=MEDIA,
        thread_id=f"instagram:{MEDIA}",
        author=UNKNOWN,
        text="@bluebottle There can be only one!",
        created_at="2018-03-09T19:16:08Z",  # no timestamp asked back: when Meta sent it
    )


def test_an_answer_without_the_mentioned_object_is_an_item_error() -> None:
    fetch = _one_fetch("mentions_comment_webhook.json")
    done = complete(fetch, {"id": ACCOUNT})
    assert [(e.code, e.index, e.native_id) for e in done.errors] == [
        ("invalid_field", 0, "17894227972186120")
    ]


def test_a_comment_notification_with_only_id_and_text_reads_the_comment() -> None:
    # the older documented notification: {"field": "comments", "value": {"id", "text"}}
    value = {"id": "17865799348089039", "text": "This is an example."}
    doc = {"object": "instagram", "entry": [{"id": ACCOUNT, "time": 1520622968,
           "changes": [{"field": "comments", "value": value}]}]}  # fmt: skip
    (fetch,) = IG.normalize(raw(doc)).fetches
    assert fetch.path == "v21.0/17865799348089039"
    assert fetch.params == {"fields": "id,text,timestamp,from,username,media,parent_id,like_count"}
    answer = {
        **value,
        "timestamp": "2018-03-09T19:16:01+0000",
        "from": {"id": "232323232", "username": "test"},
        "media": {"id": "123123123"},
    }
    (post,) = complete(fetch, answer).posts
    assert canonical(post) == expected(
        id="instagram:17865799348089039",
        platform="instagram",
        channel=ACCOUNT,
        kind="comment",
        native_id="17865799348089039",
        thread_id="instagram:123123123",
        in_reply_to="instagram:123123123",
        author={"id": "232323232", "handle": "test", "url": "https://www.instagram.com/test/"},
        text="This is an example.",
        created_at="2018-03-09T19:16:01Z",
    )
    # an answer that still lacks the media is an error, not a second read
    assert [e.code for e in complete(fetch, value).errors] == ["unknown_thread"]


def test_graph_comments_with_only_the_default_fields_are_read_again() -> None:
    page = {"data": [{"timestamp": "2017-08-31T19:16:02+0000", "text": "This is awesome!",
                      "id": "17870913679156914"}]}  # fmt: skip
    result = IG.normalize(raw(page, channel=ACCOUNT))
    assert [(f.index, f.path) for f in result.fetches] == [(0, "v21.0/17870913679156914")]
