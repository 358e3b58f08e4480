"""Bluesky: notifications (mention, reply, quote; the rest skipped), post threads, the poll
request and its cursor."""

from __future__ import annotations

from typing import cast

import pytest
from chorus_platforms.bluesky.inbound import BlueskyConnector
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, RawInput
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.social_kit import assert_clean, hostile

pytestmark = pytest.mark.unit
BS = cast(BlueskyConnector, CONNECTORS["bluesky"])
BRAND = "shinyakato.dev"  # the account the recorded notifications were listed for
BRAND_POST = "at://did:plc:iijrtk7ocored6zuziwmqq3c/app.bsky.feed.post/"
NOTIFICATIONS = "list_notifications.json"


def _page(channel: str = BRAND) -> NormalizeResult:
    return BS.normalize(raw(fixture("bluesky", NOTIFICATIONS), channel=channel))


def test_bluesky_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(BS, BlueskyConnector) and POLL_SOURCES["bluesky"] is BS


def test_reply_notification_maps_every_canonical_field() -> None:
    reply = next(p for p in _page().posts if p.author.handle == "mar.bsky.social")
    uri = "at://did:plc:fyh2dc4kfeue7g4oujhuf6mn/app.bsky.feed.post/3jsgg622lu22n"
    assert canonical(reply) == expected(
        id=f"bluesky:{uri}",
        platform="bluesky",
        channel=BRAND,
        kind="comment",
        native_id=uri,
        url="https://bsky.app/profile/mar.bsky.social/post/3jsgg622lu22n",
        thread_id=f"bluesky:{BRAND_POST}3jsgcvk4rdc2y",
        in_reply_to=f"bluesky:{BRAND_POST}3jsgcvk4rdc2y",
        author={
            "id": "did:plc:fyh2dc4kfeue7g4oujhuf6mn",
            "handle": "mar.bsky.social",
            "display_name": "Marcos",
            "url": "https://bsky.app/profile/mar.bsky.social",
        },
        text="I have some news from the web app.",
        created_at="2023-04-02T23:45:02.945000Z",
    )


def test_mention_and_quote_are_mentions_in_their_own_threads() -> None:
    posts = {p.author.handle: p for p in _page().posts}
    mention = posts["florin.co"]
    uri = "at://did:plc:w7jicbitabtexqstm5ezqwsc/app.bsky.feed.post/3jsge4wrnjs2w"
    assert canonical(mention) == expected(
        id=f"bluesky:{uri}",
        platform="bluesky",
        channel=BRAND,
        kind="mention",
        native_id=uri,
        url="https://bsky.app/profile/florin.co/post/3jsge4wrnjs2w",
        thread_id=f"bluesky:{uri}",
        author={
            "id": "did:plc:w7jicbitabtexqstm5ezqwsc",
            "handle": "florin.co",
            "display_name": "Florin 🦄",
            "url": "https://bsky.app/profile/florin.co",
        },
        text="That\u2019s 1 way to stand out :) \n@shinyakato.dev @pfrazee.com",
        created_at="2023-04-02T23:08:38.642000Z",
    )
    quote = posts["pomcan.bsky.social"]
    assert (quote.kind, quote.thread_id, quote.in_reply_to) == (
        "mention",
        f"bluesky:{quote.native_id}",
        None,
    )
    assert quote.text.startswith("リアルタイム組はほぼ祭りが終わったところです。")


def test_every_other_notification_is_skipped_with_its_reason() -> None:
    result = _page()
    assert result.errors == []
    assert [p.author.handle for p in result.posts] == [
        "mar.bsky.social",
        "florin.co",
        "pedronattu.bsky.social",
        "pomcan.bsky.social",
    ]
    codes: dict[str, int] = {}
    for skip in result.skipped:
        codes[skip.code] = codes.get(skip.code, 0) + 1
    assert codes == {"reaction": 41, "repost": 4, "follow": 1}
    assert len(result.posts) + len(result.skipped) == 50
    first = result.skipped[0]
    assert (first.index, first.native_id) == (
        0,
        "at://did:plc:iijrtk7ocored6zuziwmqq3c/app.bsky.feed.like/3jsgku56dhc2x",
    )


def test_a_post_thread_gives_its_posts_and_the_brands_own_as_brand_activity() -> None:
    body = fixture("bluesky", "get_post_thread.json")
    [theirs] = BS.normalize(raw(body, channel="brand.example")).posts
    uri = "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert canonical(theirs) == expected(
        id=f"bluesky:{uri}",
        platform="bluesky",
        channel="brand.example",
        kind="post",
        native_id=uri,
        url="https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22",
        thread_id=f"bluesky:{uri}",
        author={
            "id": "did:plc:kvwvcn5iqfooopmyzvb4qzba",
            "handle": "test.marshal.dev",
            "display_name": "I love Python 3",
            "url": "https://bsky.app/profile/test.marshal.dev",
        },
        text="",
        lang="en",
        created_at="2023-09-28T12:49:36.735000Z",
        media=[
            {
                "type": "image",
                "url": "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:kvwvcn5iqfooopmyzvb4qzba/bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq@jpeg",
            }
        ],
    )
    [own] = BS.normalize(raw(body, channel="did:plc:kvwvcn5iqfooopmyzvb4qzba")).posts
    assert own.from_brand is True and own.kind == "post"


def test_a_reply_in_a_thread_and_a_deleted_one_are_read_from_the_tree() -> None:
    doc = fixture_json("bluesky", "get_post_thread.json")
    root = doc["thread"]["post"]
    child = {
        **root,
        "uri": root["uri"].replace("3kaheyt6vpc22", "3kchild00000"),
        "record": {
            **root["record"],
            "text": "a reply",
            "reply": {
                "root": {"uri": root["uri"], "cid": root["cid"]},
                "parent": {"uri": root["uri"], "cid": root["cid"]},
            },
        },
    }
    gone = {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x", "notFound": True}
    doc["thread"]["replies"] = [{"post": child, "replies": []}, gone]
    result = BS.normalize(raw(doc, channel="brand.example"))
    assert [(p.kind, p.thread_id, p.in_reply_to) for p in result.posts] == [
        ("post", f"bluesky:{root['uri']}", None),
        ("comment", f"bluesky:{root['uri']}", f"bluesky:{root['uri']}"),
    ]
    assert [s.code for s in result.skipped] == ["unavailable"]


def test_a_bad_notification_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = fixture_json("bluesky", NOTIFICATIONS)
    reply = next(n for n in doc["notifications"] if n["reason"] == "reply")
    reply["record"]["reply"]["parent"]["uri"] = "https://example.com/not-an-at-uri"
    result = BS.normalize(raw(doc, channel=BRAND))
    assert len(result.posts) == 3
    [error] = result.errors
    assert (error.code, error.field) == ("invalid_uri", "notifications[5].record.reply.parent.uri")


def test_payloads_need_the_account_and_unknown_shapes_are_refused() -> None:
    with pytest.raises(NormalizeError) as info:
        BS.normalize(raw(fixture("bluesky", NOTIFICATIONS)))
    assert info.value.code == "missing_channel"
    for body in (b"[1]", b'{"hello": 1}', b'{"notifications": 3}', b"\xff\xfe"):
        with pytest.raises(NormalizeError):
            BS.normalize(raw(body, channel=BRAND))


def test_poll_request_asks_the_pds_for_answerable_notifications_from_the_cursor() -> None:
    config = {"service": "pds.example.com", "identifier": BRAND, "app_password": "x"}
    first = BS.poll_request(config, {})
    assert first.url == "https://pds.example.com/xrpc/app.bsky.notification.listNotifications"
    assert dict(first.params) == {"reasons": ["mention", "reply", "quote"], "limit": "50"}
    assert BS.poll_request({}, {"page": "c1"}).params["cursor"] == "c1"
    assert BS.poll_request({}, {}).url.startswith("https://bsky.social/xrpc/")


def _advance(cursor: dict[str, str], body: bytes) -> dict[str, str]:
    data = RawInput(body=body, channel=BRAND)
    return BS.advance(cursor, BS.normalize(data), data)


def test_first_poll_reads_the_newest_page_only_and_remembers_its_newest_time() -> None:
    body = fixture("bluesky", NOTIFICATIONS)
    assert _advance({}, body) == {"since": "2023-04-03T01:09:30.113000+00:00"}


def test_a_sweep_follows_the_cursor_until_it_reaches_what_was_seen() -> None:
    body = fixture("bluesky", NOTIFICATIONS)
    older = {"since": "2023-04-01T00:00:00+00:00"}
    assert _advance(older, body) == {
        "since": "2023-04-01T00:00:00+00:00",
        "page": "1680438432076::bafyreigh55xmw4nrubfkilkmvvo53sg7bboitjaydjqdaf6d6owm2sbupe",
        "sweep_newest": "2023-04-03T01:09:30.113000+00:00",
    }
    reached = {"since": "2023-04-02T20:00:00+00:00"}
    assert _advance(reached, body) == {"since": "2023-04-03T01:09:30.113000+00:00"}
    done = {"since": "2023-04-01T00:00:00+00:00", "sweep_newest": "2023-04-05T00:00:00+00:00"}
    empty = b'{"notifications": [], "cursor": "c9"}'
    assert _advance({**done, "page": "c8"}, empty) == {"since": "2023-04-05T00:00:00+00:00"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(fixture_json("bluesky", "get_post_thread.json")))
def test_hostile_threads_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(BS, raw(body, channel=BRAND))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(fixture_json("bluesky", NOTIFICATIONS)))
def test_hostile_notification_pages_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(BS, raw(body, channel=BRAND))
