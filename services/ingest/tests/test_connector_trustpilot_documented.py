"""Trustpilot payloads copied verbatim from Trustpilot's own documentation, normalized field by
field (see fixtures/trustpilot/SOURCES.md)."""

from __future__ import annotations

import pytest
from chorus_platforms.trustpilot.inbound import TrustpilotConnector

from services.ingest.tests.connector_kit import canonical, expected, fixture, raw

pytestmark = pytest.mark.unit
TP = TrustpilotConnector()
REVIEW = "53bffd360000640002975387"


def _review(channel: str) -> dict[str, object]:
    return expected(
        id=f"trustpilot:{REVIEW}",
        platform="trustpilot",
        channel=channel,
        kind="review",
        native_id=REVIEW,
        url=f"https://www.trustpilot.com/reviews/{REVIEW}",
        thread_id=f"trustpilot:{REVIEW}",
        author={
            "id": "53bffc3900006400017e5db8",
            "display_name": "Customer",
            "url": "https://www.trustpilot.com/users/53bffc3900006400017e5db8",
        },
        text="Great service\n\nNothing other than excellent customer service.",
        lang="en",
        created_at="2017-05-20T09:34:44Z",
        rating=5,
    )


def test_the_documented_review_created_webhook_maps_every_field() -> None:
    body = fixture("trustpilot", "webhook_service_review_created.json")
    result = TP.normalize(raw(body, channel="tp-unit"))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [_review("tp-unit")]


def test_without_a_channel_the_documented_location_names_the_channel() -> None:
    body = fixture("trustpilot", "webhook_service_review_created.json")
    (post,) = TP.normalize(raw(body)).posts
    assert canonical(post) == _review("43f51215-a1fc-4c60-b6dd-e4afb6d7b831")


def test_a_recorded_review_event_keeps_the_text_once_and_skips_an_unknown_event() -> None:
    result = TP.normalize(raw(fixture("trustpilot", "lindar_review_events.json")))
    assert result.errors == []
    assert [(s.code, s.index) for s in result.skipped] == [("event_type", 1)]
    text = (
        "Some of the screens are to hard to navigate. If you are playing blackjack and you "
        "want to go to roulette you have to come out of screen and relog back in"
    )
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="trustpilot:62c8968be77911f2449e9f74",
            platform="trustpilot",
            channel="trustpilot",
            kind="review",
            native_id="62c8968be77911f2449e9f74",
            url="https://www.trustpilot.com/reviews/62c8968be77911f2449e9f74",
            thread_id="trustpilot:62c8968be77911f2449e9f74",
            author={
                "id": "618d5a8bebf38a0012a83bdd",
                "display_name": "pantelakis georgiou",
                "url": "https://www.trustpilot.com/users/618d5a8bebf38a0012a83bdd",
            },
            text=text,
            lang="en",
            created_at="2022-07-08T22:41:48Z",
            rating=4,
        )
    ]


def test_a_title_of_its_own_still_heads_the_text() -> None:
    body = fixture("trustpilot", "webhook_service_review_created.json").replace(
        b'"Great service"', b'"Great service\xe2\x80\xa6"'
    )
    (post,) = TP.normalize(raw(body)).posts
    assert post.text == "Great service\u2026\n\nNothing other than excellent customer service."
