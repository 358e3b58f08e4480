"""Instagram Graph answers copied verbatim from python-facebook's recorded test data, field by
field: a comment page with a nested reply, and bare objects that are read again."""

from __future__ import annotations

import pytest
from chorus_platforms.instagram.inbound import InstagramConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
IG = InstagramConnector()
OWNER = "17841406338772941"
MEDIA = "17955956875141196"
IKROSKUN = {
    "id": OWNER,
    "handle": "ikroskun",
    "url": "https://www.instagram.com/ikroskun/",
}


def _comment(native: str, text: str, at: str, parent: str = MEDIA) -> dict[str, object]:
    return expected(
        id=f"instagram:{native}",
        platform="instagram",
        channel=OWNER,
        kind="comment" if parent == MEDIA else "reply",
        native_id=native,
        thread_id=f"instagram:{MEDIA}",
        in_reply_to=f"instagram:{parent}",
        author=IKROSKUN,
        text=text,
        created_at=at,
        from_brand=True,
    )


def test_the_recorded_comment_page_maps_comments_and_the_nested_reply() -> None:
    result = IG.normalize(raw(fixture("instagram", "pyfacebook_comments_p1.json"), channel=OWNER))
    assert result.errors == [] and result.skipped == [] and result.fetches == []
    # `user` is returned only on the querying account's own comments: the brand wrote them
    assert [canonical(p) for p in result.posts] == [
        _comment("17862949873623188", "nine", "2020-01-05T05:58:47Z"),
        _comment(
            "17850033184810160", "@ikroskun You nine", "2020-01-05T06:54:13Z", "17862949873623188"
        ),
        _comment("17844360649889631", "eight", "2020-01-05T05:58:42Z"),
        _comment("18081420289157481", "seven", "2020-01-05T05:58:38Z"),
        _comment("17978366428292530", "six", "2020-01-05T05:58:33Z"),
        _comment("18078575905189841", "Five", "2019-10-23T08:05:40Z"),
    ]


@pytest.mark.parametrize(
    ("name", "native"),
    [
        ("pyfacebook_replies.json", "17847314687296283"),
        ("pyfacebook_comment_single.json", "17862949873623188"),
    ],
)
def test_recorded_objects_without_media_or_author_are_read_again(name: str, native: str) -> None:
    result = IG.normalize(raw(fixture("instagram", name), channel=OWNER))
    assert result.posts == [] and result.errors == [] and result.skipped == []
    assert [(f.native_id, f.path) for f in result.fetches] == [(native, f"v21.0/{native}")]
