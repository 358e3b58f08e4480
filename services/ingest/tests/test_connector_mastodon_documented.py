"""Mastodon's documented Status entity example, copied verbatim, normalized field by field."""

from __future__ import annotations

import pytest
from chorus_platforms.mastodon.inbound import MastodonConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
MA = MastodonConnector()
GUARDIAN = (
    "https://www.theguardian.com/money/2019/dec/07/"
    "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
)


def test_the_documented_status_maps_every_field() -> None:
    body = fixture("mastodon", "docs_status_entity.json")
    (post,) = MA.normalize(raw(body, channel="@chorus@mastodon.social")).posts
    assert canonical(post) == expected(
        id="mastodon:103270115826048975",
        platform="mastodon",
        channel="@chorus@mastodon.social",
        kind="post",
        native_id="103270115826048975",
        url="https://mastodon.social/@Gargron/103270115826048975",
        thread_id="mastodon:103270115826048975",
        author={
            "id": "1",
            "handle": "@Gargron",
            "display_name": "Eugen",
            "followers": 322930,
            "url": "https://mastodon.social/@Gargron",
        },
        text=f'"I lost my inheritance with one wrong digit on my sort code"\n\n{GUARDIAN}',
        lang="en",
        created_at="2019-12-08T03:48:33.901000Z",
        metrics={"likes": 11, "shares": 6, "replies": 5, "views": 0},
    )
