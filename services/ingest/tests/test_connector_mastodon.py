"""Mastodon statuses and mention notifications: documented shapes, webhook signature, min_id cursor."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.mastodon.inbound import MastodonConnector
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
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
from services.ingest.tests.handmade_mastodon import (
    HANDMADE_NOTIFICATIONS,
    HANDMADE_WEBHOOK_STATUS_CREATED,
)
from services.ingest.tests.handmade_mastodon_context import HANDMADE_CONTEXT

pytestmark = pytest.mark.unit
MA = MastodonConnector()
ELISE = {
    "id": "109348276540289347",
    "handle": "@elise@fosstodon.org",
    "display_name": "Élise 🌿",
    "followers": 412,
    "url": "https://fosstodon.org/@elise",
}
TEXT = (
    "@chorus votre export CSV casse les accents : « café » → « cafÃ© » 😕 #bug\n\n"
    "Détails : https://git.example.org/issues/42"
)


def test_mastodon_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["mastodon"], MastodonConnector)
    assert isinstance(POLL_SOURCES["mastodon"], MastodonConnector)


def test_mention_notification_maps_every_canonical_field_and_skips_favourites() -> None:
    result = MA.normalize(raw(HANDMADE_NOTIFICATIONS, channel="@chorus@mastodon.social"))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="mastodon:112233445566778899",
            platform="mastodon",
            channel="@chorus@mastodon.social",
            kind="reply",
            native_id="112233445566778899",
            url="https://fosstodon.org/@elise/112233445566778899",
            thread_id="mastodon:112233000000000001",
            in_reply_to="mastodon:112233000000000001",
            author=ELISE,
            text=TEXT,
            lang="fr",
            created_at="2024-06-01T12:34:56.789000Z",
            metrics={"likes": 7, "shares": 3, "replies": 0, "views": 0},
            media=[{"type": "image", "url": "https://files.example/media/1.png"}],
        )
    ]


def test_html_content_becomes_plain_text_keeping_mentions_hashtags_and_full_urls() -> None:
    [post] = MA.normalize(raw(HANDMADE_NOTIFICATIONS)).posts
    assert "alert(1)" not in post.text and "<" not in post.text
    assert "@chorus" in post.text and "#bug" in post.text
    assert "https://git.example.org/issues/42" in post.text  # invisible/ellipsis spans rejoined


def test_mention_that_replies_to_nothing_is_a_mention_in_its_own_thread() -> None:
    doc = json.loads(HANDMADE_NOTIFICATIONS)
    doc[0]["status"]["in_reply_to_id"] = None
    [post] = MA.normalize(raw(doc)).posts
    assert (post.kind, post.thread_id, post.in_reply_to) == (
        "mention",
        "mastodon:112233445566778899",
        None,
    )


def test_context_resolves_every_reply_to_the_root_status() -> None:
    result = MA.normalize(raw(HANDMADE_CONTEXT, channel="@chorus"))
    assert [(p.native_id, p.kind, p.thread_id, p.in_reply_to) for p in result.posts] == [
        ("112233000000000001", "post", "mastodon:112233000000000001", None),
        (
            "112233000000000002",
            "reply",
            "mastodon:112233000000000001",
            "mastodon:112233000000000001",
        ),
        (
            "112233000000000003",
            "reply",
            "mastodon:112233000000000001",
            "mastodon:112233000000000002",
        ),
    ]
    assert result.posts[0].author.handle == "@chorus"


def test_direct_status_from_a_webhook_is_a_dm() -> None:
    [post] = MA.normalize(raw(HANDMADE_WEBHOOK_STATUS_CREATED)).posts
    assert canonical(post) == expected(
        id="mastodon:112233445566778899",
        platform="mastodon",
        channel="@chorus",
        kind="dm",
        native_id="112233445566778899",
        url="https://fosstodon.org/@elise/112233445566778899",
        thread_id="mastodon:112233445566778899",
        author=ELISE,
        text=TEXT,
        lang="fr",
        created_at="2024-06-01T12:34:56.789000Z",
        metrics={"likes": 7, "shares": 3, "replies": 0, "views": 0},
        media=[{"type": "image", "url": "https://files.example/media/1.png"}],
    )


def test_a_boost_is_read_as_the_boosted_status() -> None:
    status = json.loads(HANDMADE_NOTIFICATIONS)[0]["status"]
    boost = dict(status, id="999", content="", reblog=dict(status, in_reply_to_id=None))
    [post] = MA.normalize(raw([boost])).posts
    assert post.native_id == "112233445566778899" and post.text == TEXT


def test_one_bad_status_becomes_an_item_error_and_the_rest_is_kept() -> None:
    ctx = json.loads(HANDMADE_CONTEXT)
    ctx["descendants"][0]["account"] = "nobody"
    result = MA.normalize(raw(ctx))
    assert [p.native_id for p in result.posts] == ["112233000000000001", "112233000000000003"]
    [error] = result.errors
    assert (error.code, error.field, error.index, error.native_id) == (
        "invalid_field",
        "account",
        1,
        "112233000000000002",
    )
    assert result.posts[1].thread_id == "mastodon:112233000000000001"  # chain still known


@pytest.mark.parametrize("body", [b"nope", b"42", b'{"ancestors": 1}', b'{"x": 1}'])
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        MA.normalize(raw(body))


def _hub(secret: str, body: bytes) -> dict[str, str]:
    return {
        "x-hub-signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    }


def test_webhook_signature_valid_passes() -> None:
    body = HANDMADE_WEBHOOK_STATUS_CREATED
    MA.verify(raw(body, headers=_hub("whsec", body)), {"webhook_secret": "whsec"}, NOW)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "signature_missing"),
        (_hub("other", b"{}"), 403, "signature_mismatch"),
        (_hub("whsec", b'{"tampered": true}'), 403, "signature_mismatch"),
        ({"x-hub-signature": "md5=abc"}, 403, "signature_invalid"),
    ],
)
def test_webhook_signature_missing_wrong_or_tampered_is_rejected(
    headers: dict[str, str], status: int, code: str
) -> None:
    with pytest.raises(SignatureError) as info:
        MA.verify(raw(b"{}", headers=headers), {"webhook_secret": "whsec"}, NOW)
    assert (info.value.status, info.value.code) == (status, code)


def test_poll_request_asks_for_mentions_after_min_id() -> None:
    req = MA.poll_request({"instance": "mastodon.social", "access_token": "tok"}, {"min_id": "100"})
    assert req.url == "https://mastodon.social/api/v1/notifications"
    assert req.params == {"types[]": "mention", "limit": "40", "min_id": "100"}
    assert req.headers["Authorization"] == "Bearer tok"
    assert "min_id" not in MA.poll_request({"instance": "https://m.example"}, {}).params


def test_cursor_moves_min_id_to_the_highest_notification_id_numerically() -> None:
    page = raw(HANDMADE_NOTIFICATIONS)
    cursor = MA.advance({"min_id": "9999999"}, MA.normalize(page), page)
    assert cursor == {"min_id": "34975861"}  # 8 digits beat 7, whatever the string order
    empty = raw(b"[]")
    assert MA.advance(cursor, MA.normalize(empty), empty) == cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        mutated(json.loads(HANDMADE_NOTIFICATIONS)),
        mutated(json.loads(HANDMADE_CONTEXT)),
    )
)
def test_hostile_mastodon_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(MA, raw(body))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_html_content_reduces_to_text_without_markup_errors(content: str) -> None:
    status = json.loads(HANDMADE_NOTIFICATIONS)[0]["status"]
    clean_outcome(MA, raw([dict(status, content=content)]))
