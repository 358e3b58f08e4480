"""Facebook payloads copied verbatim from public client libraries' recorded Graph API answers
(python-facebook's test data), normalized field by field."""

from __future__ import annotations

import pytest
from chorus_platforms.facebook.inbound import FacebookConnector
from chorus_platforms.kit.items import complete

from services.ingest.tests.connector_kit import canonical, expected, fixture, fixture_json, raw

pytestmark = pytest.mark.unit
FB = FacebookConnector()
FACEBOOK_PAGE = "20531316728"
PHOTO = "10158658755326729"
KUN_PAGE = "2121008874780932"


def test_a_recorded_comment_read_maps_every_field() -> None:
    (post,) = FB.normalize(
        raw(fixture("facebook", "pyfacebook_comment_info.json"), channel=KUN_PAGE)
    ).posts
    image = (
        "https://scontent.xx.fbcdn.net/v/t1.0-9/80295560_516040909254766_1429720438753198080_n.jpg"
        "?_nc_cat=100&_nc_oc=AQnLVD4nFSoiHzy5avANWll2LDcu1pLxcS0ZSgZ1jHfLkH6Y1IQT3vTdKKIqqETYS84"
        "&_nc_ht=scontent.xx&oh=296cc062d2b3f30a98514f0e1ec89b8a&oe=5E706DB7"
    )
    assert canonical(post) == expected(
        id="facebook:2498598377021978_2498617433686739",
        platform="facebook",
        channel=KUN_PAGE,
        kind="comment",
        native_id="2498598377021978_2498617433686739",
        url="https://www.facebook.com/2121008874780932/posts/2498598377021978/?comment_id=2498617433686739",
        thread_id=f"facebook:{KUN_PAGE}_2498598377021978",
        in_reply_to=f"facebook:{KUN_PAGE}_2498598377021978",
        author={"id": "2711636948859886", "display_name": "Kun Liu"},
        text="Good job!😏",
        created_at="2019-12-16T12:09:40Z",
        metrics={"likes": 2, "shares": 0, "replies": 0, "views": 0},
        media=[{"type": "photo", "url": image}],
    )


def test_a_recorded_comment_page_without_from_reads_each_comment_again() -> None:
    result = FB.normalize(
        raw(fixture("facebook", "pyfacebook_comments.json"), channel=FACEBOOK_PAGE)
    )
    assert result.posts == [] and result.errors == [] and result.skipped == []
    natives = [c["id"] for c in fixture_json("facebook", "pyfacebook_comments.json")["data"]]
    assert [f.native_id for f in result.fetches] == natives
    assert [f.path for f in result.fetches] == [f"v21.0/{n}" for n in natives]
    # the read answers with the author; every other field is the recorded comment's own
    first = {**fixture_json("facebook", "pyfacebook_comments.json")["data"][0]}
    first["from"] = {"id": "7", "name": "Reader"}
    (post,) = complete(result.fetches[0], first).posts
    assert canonical(post) == expected(
        id=f"facebook:{PHOTO}_10158658759266729",
        platform="facebook",
        channel=FACEBOOK_PAGE,
        kind="comment",
        native_id=f"{PHOTO}_10158658759266729",
        url=f"https://www.facebook.com/facebook/photos/a.10150629589136729/{PHOTO}/?type=3&comment_id=10158658759266729",
        thread_id=f"facebook:{FACEBOOK_PAGE}_{PHOTO}",
        in_reply_to=f"facebook:{FACEBOOK_PAGE}_{PHOTO}",
        author={"id": "7", "display_name": "Reader"},
        text="رائع",
        created_at="2019-08-09T14:02:43Z",
    )
