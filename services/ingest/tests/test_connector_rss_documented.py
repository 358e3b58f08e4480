"""RFC 4287's brief Atom example, copied verbatim (dedented), normalized field by field."""

from __future__ import annotations

import pytest
from chorus_platforms.rss.inbound import RssConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
RSS = RssConnector()
ENTRY = "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"


def test_the_rfc_example_entry_takes_the_feed_author() -> None:
    body = fixture("rss", "rfc4287_brief_example.xml")
    (post,) = RSS.normalize(raw(body, "application/atom+xml")).posts
    assert canonical(post) == expected(
        id=f"rss:{ENTRY}",
        platform="rss",
        channel="http://example.org/",
        kind="post",
        native_id=ENTRY,
        url="http://example.org/2003/12/13/atom03",
        thread_id=f"rss:{ENTRY}",
        author={"id": "John Doe", "display_name": "John Doe"},
        text="Atom-Powered Robots Run Amok\n\nSome text.",
        created_at="2003-12-13T18:30:02Z",
    )
