"""Trustpilot reviews: documented API page and webhook, HTTP Basic check, page cursor."""

from __future__ import annotations

import base64
import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from chorus_platforms.trustpilot.inbound import TrustpilotConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    canonical,
    clean_outcome,
    expected,
    mutated,
    raw,
)
from services.ingest.tests.handmade_trustpilot import (
    HANDMADE_BUSINESS_UNIT_REVIEWS,
    HANDMADE_WEBHOOK_REVIEW_CREATED,
)

pytestmark = pytest.mark.unit
TP = TrustpilotConnector()
SECRETS = {"basic_username": "chorus", "basic_password": "pa:ss wörd"}


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def test_trustpilot_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["trustpilot"], TrustpilotConnector)
    assert isinstance(POLL_SOURCES["trustpilot"], TrustpilotConnector)


def test_documented_webhook_maps_every_canonical_field_and_ignores_deletions() -> None:
    result = TP.normalize(raw(HANDMADE_WEBHOOK_REVIEW_CREATED))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="trustpilot:53bffd360000640002975387",
            platform="trustpilot",
            channel="43f51215-a1fc-4c60-b6dd-e4afb6d7b831",
            kind="review",
            native_id="53bffd360000640002975387",
            url="https://www.trustpilot.com/reviews/53bffd360000640002975387",
            thread_id="trustpilot:53bffd360000640002975387",
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
    ]


def test_business_unit_review_page_maps_every_canonical_field() -> None:
    result = TP.normalize(raw(HANDMADE_BUSINESS_UNIT_REVIEWS, channel="tp-chorus"))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="trustpilot:6631a1b2c3d4e5f601234567",
            platform="trustpilot",
            channel="tp-chorus",
            kind="review",
            native_id="6631a1b2c3d4e5f601234567",
            url="https://www.trustpilot.com/reviews/6631a1b2c3d4e5f601234567",
            thread_id="trustpilot:6631a1b2c3d4e5f601234567",
            author={
                "id": "5f0e1d2c3b4a596877665544",
                "display_name": "Jürgen Ø.",
                "url": "https://www.trustpilot.com/users/5f0e1d2c3b4a596877665544",
            },
            text="Lieferung zu spät 😠\n\nBestellung #4711 kam 3 Tage später. Kontakt: support@chorus.example.com",
            lang="de",
            created_at="2024-04-30T21:05:09Z",
            rating=2,
            metrics={"likes": 1, "shares": 0, "replies": 1, "views": 0},
        ),
        expected(
            id="trustpilot:6631a1b2c3d4e5f601234568",
            platform="trustpilot",
            channel="tp-chorus",
            kind="review",
            native_id="6631a1b2c3d4e5f601234568",
            url="https://www.trustpilot.com/reviews/6631a1b2c3d4e5f601234568",
            thread_id="trustpilot:6631a1b2c3d4e5f601234568",
            author={
                "id": "5f0e1d2c3b4a596877665545",
                "display_name": "Ana",
                "url": "https://www.trustpilot.com/users/5f0e1d2c3b4a596877665545",
            },
            text="Perfecto ✨",
            lang="es",
            created_at="2024-04-29T10:00:00Z",
            rating=5,
        ),
    ]


def test_business_unit_is_the_channel_when_none_is_given() -> None:
    posts = TP.normalize(raw(HANDMADE_BUSINESS_UNIT_REVIEWS)).posts
    assert [p.channel for p in posts] == ["46d6a890000064000500e0c3", "trustpilot"]


@pytest.mark.parametrize("stars", [0, 6, 3.5, "5", True, None])
def test_ratings_outside_whole_one_to_five_are_item_errors(stars: object) -> None:
    doc = json.loads(HANDMADE_BUSINESS_UNIT_REVIEWS)
    doc["reviews"][0]["stars"] = stars
    result = TP.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["6631a1b2c3d4e5f601234568"]
    [error] = result.errors
    assert (error.code, error.field, error.index, error.native_id) == (
        "invalid_rating",
        "stars",
        0,
        "6631a1b2c3d4e5f601234567",
    )


@pytest.mark.parametrize("body", [b"<xml/>", b"[]", b'{"events": {}}', b'{"stars": 5}'])
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        TP.normalize(raw(body))


def test_basic_credentials_valid_pass() -> None:
    TP.verify(raw(b"{}", headers=basic("chorus", "pa:ss wörd")), SECRETS, NOW)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "credentials_missing"),
        ({"authorization": "Bearer abc"}, 401, "credentials_missing"),
        (basic("chorus", "guess"), 403, "credentials_mismatch"),
        (basic("other", "pa:ss wörd"), 403, "credentials_mismatch"),
        ({"authorization": "Basic ###"}, 403, "credentials_invalid"),
    ],
)
def test_basic_credentials_missing_or_wrong_are_rejected(
    headers: dict[str, str], status: int, code: str
) -> None:
    with pytest.raises(SignatureError) as info:
        TP.verify(raw(b"{}", headers=headers), SECRETS, NOW)
    assert (info.value.status, info.value.code) == (status, code)


def test_poll_request_pages_newest_reviews_with_the_api_key_header() -> None:
    config = {"business_unit_id": "46d6a890000064000500e0c3", "api_key": "k-1"}
    req = TP.poll_request(config, {"page": "3"})
    assert (
        req.url == "https://api.trustpilot.com/v1/business-units/46d6a890000064000500e0c3/reviews"
    )
    assert req.params == {"perPage": "100", "orderBy": "createdat.desc", "page": "3"}
    assert req.headers["apikey"] == "k-1"
    assert "apikey" not in req.params  # the key stays out of URLs and their logs


def test_cursor_pages_while_next_page_links_exist_then_closes_the_sweep() -> None:
    page = raw(HANDMADE_BUSINESS_UNIT_REVIEWS)
    cursor = TP.advance({}, TP.normalize(page), page)
    assert cursor == {"page": "2", "sweep_newest": "2024-04-30T21:05:09+00:00"}
    last = raw({"reviews": [], "links": []})
    cursor = TP.advance(cursor, TP.normalize(last), last)
    assert cursor == {"since": "2024-04-30T21:05:09+00:00"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        mutated(json.loads(HANDMADE_BUSINESS_UNIT_REVIEWS)),
        mutated(json.loads(HANDMADE_WEBHOOK_REVIEW_CREATED)),
    )
)
def test_hostile_trustpilot_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(TP, raw(body))
