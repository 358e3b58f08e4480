"""RSS 2.0 and Atom feeds: documented shapes, hostile XML, WebSub signature and handshake, polling."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from chorus_platforms.kit.inbound import NormalizeError, NormalizeResult, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from chorus_platforms.rss.inbound import RssConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    byte_edits,
    canonical,
    clean_outcome,
    expected,
    raw,
)
from services.ingest.tests.handmade_rss import HANDMADE_BLOG_ATOM, HANDMADE_BLOG_RSS2

pytestmark = pytest.mark.unit
RSS = RssConnector()
XML = "application/rss+xml"


def feed(items: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://blog.example</link>{extra}{items}</channel></rss>"
    ).encode()


def test_rss_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["rss"], RssConnector)
    assert isinstance(POLL_SOURCES["rss"], RssConnector)


def test_rss2_items_map_every_canonical_field() -> None:
    result = RSS.normalize(raw(HANDMADE_BLOG_RSS2, XML))
    assert result.errors == []
    first, second = (canonical(p) for p in result.posts)
    assert first == expected(
        id="rss:https://cafe.example.org/?p=1042",
        platform="rss",
        channel="https://cafe.example.org",
        kind="post",
        native_id="https://cafe.example.org/?p=1042",
        url="https://cafe.example.org/2024/06/quitte-chorus/",
        thread_id="rss:https://cafe.example.org/?p=1042",
        author={"id": "Camille Dupré", "display_name": "Camille Dupré"},
        text="Pourquoi j'ai quitté Chorus & ce que j'en pense\n\n"
        "Après deux ans chez Chorus, j\u2019arrête. Le support ? Lent 😞.\n\n"
        "Contact : camille@example.org — #chorus @chorus_fr https://chorus.example.com/pricing",
        lang="fr-FR",
        created_at="2024-06-03T16:30:00Z",
        media=[{"type": "image", "url": "https://cafe.example.org/wp-content/uploads/capture.png"}],
    )
    # a non-permalink guid is only unique within its feed: it is scoped by a hash of the feed
    scoped = second["native_id"]
    assert scoped.endswith("#1043") and len(scoped) == len("#1043") + 12
    assert second == expected(
        id=f"rss:{scoped}",
        platform="rss",
        channel="https://cafe.example.org",
        kind="post",
        native_id=scoped,
        url="https://cafe.example.org/2024/06/note/",
        thread_id=f"rss:{scoped}",
        author={"id": "camille@example.org", "display_name": "Camille Dupré"},
        text="Note rapide\n\nSimple texte, sans HTML.",
        lang="fr-FR",
        created_at="2024-06-04T10:00:00Z",  # no pubDate: the channel's lastBuildDate
    )


def test_atom_entries_map_every_canonical_field_and_thread_comments() -> None:
    result = RSS.normalize(raw(HANDMADE_BLOG_ATOM, "application/atom+xml"))
    assert result.errors == []
    entry, comment = (canonical(p) for p in result.posts)
    assert entry == expected(
        id="rss:tag:example.org,2003:3.2397",
        platform="rss",
        channel="http://example.org/",
        kind="post",
        native_id="tag:example.org,2003:3.2397",
        url="http://example.org/2005/04/02/atom",
        thread_id="rss:tag:example.org,2003:3.2397",
        author={
            "id": "f8dy@example.com",
            "display_name": "Mark Pilgrim",
            "url": "http://example.org/",
        },
        text="Atom draft-07 snapshot\n\n[Update: The Atom draft is finished.]\n\nChorus support was great 👍",
        lang="en",
        created_at="2003-12-13T12:29:29Z",
        media=[{"type": "audio", "url": "http://example.org/audio/ph34r_my_podcast.mp3"}],
    )
    assert comment == expected(
        id="rss:tag:example.org,2003:3.2397.c1",
        platform="rss",
        channel="http://example.org/",
        kind="comment",
        native_id="tag:example.org,2003:3.2397.c1",
        url="http://example.org/2005/04/02/atom#comment-1",
        thread_id="rss:tag:example.org,2003:3.2397",
        in_reply_to="rss:tag:example.org,2003:3.2397",
        author={"id": "dive into mark"},
        text="Re: Atom draft\n\nI & my team agree",
        lang="en",
        created_at="2005-08-01T09:00:00Z",
    )


def test_item_without_guid_falls_back_to_a_hash_of_its_link() -> None:
    body = feed("<item><title>x</title><link>https://blog.example/a</link>"
                "<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate></item>")  # fmt: skip
    [post] = RSS.normalize(raw(body, XML)).posts
    assert post.native_id.startswith("link:") and len(post.native_id) == 37
    assert RSS.normalize(raw(body, XML)).posts[0].native_id == post.native_id  # stable


def test_bad_items_become_item_errors_and_the_rest_is_kept() -> None:
    body = feed(
        "<item><title>ok</title><guid>https://blog.example/1</guid>"
        "<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate></item>"
        "<item><title>no id, no link</title><pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate></item>"
        "<item><guid>https://blog.example/3</guid><pubDate>the day after</pubDate></item>"
    )
    result = RSS.normalize(raw(body, XML))
    assert [p.native_id for p in result.posts] == ["https://blog.example/1"]
    assert [(e.code, e.index) for e in result.errors] == [("missing_id", 1), ("invalid_time", 2)]
    assert result.errors[1].native_id == "https://blog.example/3"
    assert result.errors[1].raw.startswith("<item><guid>https://blog.example/3</guid>")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&x;</title><guid>g</guid></item></channel></rss>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">
<rss><channel><item><title>t</title></item></channel></rss>"""
PARAMETER_ENTITY = (
    b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><rss/>"""
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY])
def test_entity_bombs_and_external_entities_are_refused(body: bytes) -> None:
    with pytest.raises(NormalizeError) as info:
        RSS.normalize(raw(body, XML))
    assert info.value.code == "unsafe_xml"


def test_external_dtd_is_never_fetched_and_the_feed_still_reads() -> None:
    # expat does not load external DTDs; the DOCTYPE is harmless and the item is kept
    result = RSS.normalize(
        raw(
            EXTERNAL_DTD.replace(
                b"<title>t</title>",
                b"<title>t</title><guid>https://g/1</guid><pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate>",
            ),
            XML,
        )
    )
    assert [p.native_id for p in result.posts] == ["https://g/1"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "invalid_xml"),
        (b"<rss><channel>", "invalid_xml"),
        (b'{"json": true}', "invalid_xml"),
        (b"<html><body>hi</body></html>", "not_a_feed"),
        (b"<rss version='2.0'/>", "not_a_feed"),
        (b"x" * (16 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes, code: str) -> None:
    with pytest.raises(NormalizeError) as info:
        RSS.normalize(raw(body, XML))
    assert info.value.code == code


def _hub(secret: str, body: bytes, alg: str = "sha1") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, getattr(hashlib, alg)).hexdigest()
    return {"x-hub-signature": f"{alg}={digest}"}


@pytest.mark.parametrize("alg", ["sha1", "sha256", "sha512"])
def test_websub_signature_valid_passes(alg: str) -> None:
    body = HANDMADE_BLOG_ATOM
    RSS.verify(raw(body, XML, headers=_hub("hub", body, alg)), {"hub_secret": "hub"}, NOW)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), (_hub("wrong", b"<feed/>"), 403), (_hub("hub", b"<feed>tampered</feed>"), 403)],
)
def test_websub_signature_missing_wrong_or_tampered_is_rejected(
    headers: dict[str, str], status: int
) -> None:
    with pytest.raises(SignatureError) as info:
        RSS.verify(raw(b"<feed/>", XML, headers=headers), {"hub_secret": "hub"}, NOW)
    assert info.value.status == status


def test_websub_subscription_handshake_echoes_the_challenge_for_our_topic() -> None:
    secrets = {"topic": "https://blog.example/feed"}
    query = {
        "hub.mode": "subscribe",
        "hub.topic": "https://blog.example/feed",
        "hub.challenge": "c-123",
        "hub.lease_seconds": "864000",
    }
    ok = RSS.handshake(query, secrets)
    assert ok is not None and (ok.status, ok.body) == (200, b"c-123")
    wrong = RSS.handshake(dict(query, **{"hub.topic": "https://evil.example/feed"}), secrets)
    assert wrong is not None and wrong.status == 404
    bad = RSS.handshake({"hub.mode": "subscribe"}, secrets)
    assert bad is not None and bad.status == 400
    assert RSS.handshake({}, secrets) is None


def test_poll_request_is_conditional_on_the_stored_validators() -> None:
    first = RSS.poll_request({"url": "https://blog.example/feed"}, {})
    assert first.url == "https://blog.example/feed"
    assert "If-None-Match" not in first.headers and "If-Modified-Since" not in first.headers
    again = RSS.poll_request(
        {"url": "https://blog.example/feed"},
        {"etag": '"abc"', "last_modified": "Tue, 04 Jun 2024 10:00:00 GMT"},
    )
    assert again.headers["If-None-Match"] == '"abc"'
    assert again.headers["If-Modified-Since"] == "Tue, 04 Jun 2024 10:00:00 GMT"


def test_cursor_keeps_validators_latest_date_and_seen_ids() -> None:
    page = raw(
        HANDMADE_BLOG_RSS2,
        XML,
        headers={"etag": '"v1"', "last-modified": "Tue, 04 Jun 2024 10:00:00 GMT"},
    )
    result = RSS.normalize(page)
    cursor = RSS.advance({}, result, page)
    assert cursor["etag"] == '"v1"' and cursor["last_modified"] == "Tue, 04 Jun 2024 10:00:00 GMT"
    assert cursor["latest"] == "2024-06-04T10:00:00+00:00"
    assert cursor["seen"] == [p.native_id for p in result.posts]
    # a 304 (empty body, no posts) keeps everything; the same page again adds no duplicate ids
    assert RSS.advance(cursor, NormalizeResult(), raw(b"", XML)) == cursor
    assert RSS.advance(cursor, result, page)["seen"] == cursor["seen"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        byte_edits(HANDMADE_BLOG_RSS2),
        byte_edits(HANDMADE_BLOG_ATOM),
        byte_edits(BILLION_LAUGHS),
        byte_edits(XXE),
    )
)
def test_hostile_feeds_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(RSS, raw(body, XML))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_any_item_text_is_read_or_rejected_cleanly(title: str, description: str) -> None:
    from xml.sax.saxutils import escape

    item = (
        f"<item><title>{escape(title)}</title><description>{escape(description)}</description>"
        "<guid>https://g/1</guid><pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate></item>"
    )
    clean_outcome(RSS, raw(feed(item), XML))
