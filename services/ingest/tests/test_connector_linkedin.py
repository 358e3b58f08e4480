"""LinkedIn: organization social action notifications, Comments API, X-LI-Signature, challenge."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.linkedin.inbound import LinkedInConnector
from chorus_platforms.linkedin.social import split_comment_urn
from chorus_platforms.registry import CONNECTORS
from hypothesis import HealthCheck, given, settings

from services.ingest.tests.connector_kit import NOW, canonical, expected, fixture, fixture_json, raw
from services.ingest.tests.handmade_linkedin import (
    HANDMADE_COMMENTS_API,
    HANDMADE_NOTIFICATIONS_WEBHOOK,
)
from services.ingest.tests.social_kit import assert_clean, hostile

pytestmark = pytest.mark.unit
LI = LinkedInConnector()
ORG = "urn:li:organization:96072893"
ACTIVITY = "urn:li:activity:7094637247890620418"
SECRETS = {"client_secret": "li-client-secret"}


def li_signature(body: bytes, secret: str = SECRETS["client_secret"]) -> str:
    return hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()


def test_linkedin_is_registered() -> None:
    assert isinstance(CONNECTORS["linkedin"], LinkedInConnector)


def test_comment_urns_split_into_post_and_comment_id() -> None:
    assert split_comment_urn(f"urn:li:comment:({ACTIVITY},7094977717598625792)") == (
        ACTIVITY,
        "7094977717598625792",
    )
    assert split_comment_urn("urn:li:comment:(activity:1,2)") == ("urn:li:activity:1", "2")
    assert split_comment_urn("urn:li:comment:(urn:li:ugcPost:9,3)") == ("urn:li:ugcPost:9", "3")
    assert split_comment_urn("urn:li:share:1") is None and split_comment_urn(None) is None


def test_notifications_map_every_canonical_field() -> None:
    result = LI.normalize(raw(HANDMADE_NOTIFICATIONS_WEBHOOK))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="linkedin:7094977717598625792",
            platform="linkedin",
            channel=ORG,
            kind="comment",
            native_id="7094977717598625792",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to=f"linkedin:{ACTIVITY}",
            author={"id": "urn:li:person:zLqTygBP8S"},
            text="Commenting as Sumit Butola...",
            created_at="2023-08-09T09:48:26.310000Z",
        ),
        expected(
            id="linkedin:7094977717598629999",
            platform="linkedin",
            channel=ORG,
            kind="reply",
            native_id="7094977717598629999",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to="linkedin:7094977717598625792",
            author={"id": "urn:li:person:Ylpq-RobP9"},
            text="Très bonne nouvelle 👏 — hâte de voir la suite !",
            created_at="2023-08-09T09:50:00Z",
        ),
        expected(
            id="linkedin:urn:li:share:7094999999999999999",
            platform="linkedin",
            channel=ORG,
            kind="mention",
            native_id="urn:li:share:7094999999999999999",
            url="https://www.linkedin.com/feed/update/urn:li:share:7094999999999999999/",
            thread_id="linkedin:urn:li:share:7094999999999999999",
            author={"id": "urn:li:person:AbCdEf123"},
            text="Proud to have worked with @Chorus on this launch!",
            created_at="2023-08-09T09:56:40Z",
        ),
        expected(
            id="linkedin:7094977717598630000",
            platform="linkedin",
            channel=ORG,
            kind="comment",
            native_id="7094977717598630000",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to=f"linkedin:{ACTIVITY}",
            author={"id": ORG},
            text="Thank you all!",
            created_at="2023-08-09T10:00:00Z",
            from_brand=True,
        ),
    ]
    # a like is not a post; the organization's own ADMIN_COMMENT is brand activity
    assert [(s.code, s.index, s.native_id) for s in result.skipped] == [
        ("reaction", 3, "5603453324")
    ]


def test_comments_api_page_joins_the_webhook_thread_and_marks_the_brand() -> None:
    result = LI.normalize(raw(HANDMADE_COMMENTS_API, channel=ORG))
    assert result.errors == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="linkedin:7094977717598625111",
            platform="linkedin",
            channel=ORG,
            kind="comment",
            native_id="7094977717598625111",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to=f"linkedin:{ACTIVITY}",
            author={"id": "urn:li:person:Ylpq-RobP9"},
            text="What a lovely event!",
            created_at="2019-05-20T19:41:10.695000Z",
            metrics={"likes": 4, "shares": 0, "replies": 1, "views": 0},
        ),
        expected(
            id="linkedin:7094977717598625222",
            platform="linkedin",
            channel=ORG,
            kind="reply",
            native_id="7094977717598625222",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to="linkedin:7094977717598625111",
            author={"id": ORG},
            text="Thanks for coming!",
            created_at="2019-05-20T19:42:50.695000Z",
            from_brand=True,
        ),
    ]


def test_pull_finder_elements_are_normalized_like_pushed_notifications() -> None:
    pushed = json.loads(HANDMADE_NOTIFICATIONS_WEBHOOK)["notifications"]
    pulled = LI.normalize(raw({"paging": {"start": 0}, "elements": pushed}))
    assert [p.id for p in pulled.posts] == [
        p.id for p in LI.normalize(raw(HANDMADE_NOTIFICATIONS_WEBHOOK)).posts
    ]


def test_one_bad_notification_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_NOTIFICATIONS_WEBHOOK)
    doc["notifications"][0]["lastModifiedAt"] = "now"
    del doc["notifications"][2]["decoratedGeneratedActivity"]["share"]["owner"]
    result = LI.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["7094977717598629999", "7094977717598630000"]
    assert [(e.code, e.index, e.native_id, e.field) for e in result.errors] == [
        ("invalid_time", 0, "5603453321", "notifications[0].lastModifiedAt"),
        ("missing_author", 2, "urn:li:share:7094999999999999999", "notifications[2].share"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"{}",
        b'{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"}',
        b'{"notifications": {}}',
        b'{"elements": 1}',
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes) -> None:
    with pytest.raises(NormalizeError):
        LI.normalize(raw(body, channel=ORG))


def test_comments_api_page_needs_the_organization() -> None:
    with pytest.raises(NormalizeError) as info:
        LI.normalize(raw(HANDMADE_COMMENTS_API))
    assert info.value.code == "missing_channel"


def test_signature_valid_with_or_without_the_hmacsha256_prefix() -> None:
    body = HANDMADE_NOTIFICATIONS_WEBHOOK
    LI.verify(raw(body, headers={"x-li-signature": li_signature(body)}), SECRETS, NOW)
    prefixed = {"x-li-signature": "hmacsha256=" + li_signature(body)}
    LI.verify(raw(body, headers=prefixed), SECRETS, NOW)


def test_signature_missing_is_401_and_wrong_tampered_or_unprefixed_hmac_is_403() -> None:
    body = HANDMADE_NOTIFICATIONS_WEBHOOK
    with pytest.raises(SignatureError) as info:
        LI.verify(raw(body), SECRETS, NOW)
    assert info.value.status == 401
    body_only = hmac.new(b"li-client-secret", body, hashlib.sha256).hexdigest()
    for header, data in [
        (li_signature(body, "other"), body),
        (li_signature(body), body.replace(b"Sumit", b"Smit")),
        (body_only, body),  # LinkedIn signs "hmacsha256=" + body, not the body alone
    ]:
        with pytest.raises(SignatureError) as info:
            LI.verify(raw(data, headers={"x-li-signature": header}), SECRETS, NOW)
        assert info.value.status == 403
    with pytest.raises(SignatureError) as info:
        LI.verify(raw(body, headers={"x-li-signature": li_signature(body)}), {}, NOW)
    assert info.value.status == 403


def test_replayed_notification_verifies_and_yields_the_same_post_ids_for_dedup() -> None:
    body = HANDMADE_NOTIFICATIONS_WEBHOOK
    LI.verify(raw(body, headers={"x-li-signature": li_signature(body)}), SECRETS, NOW)
    assert [p.id for p in LI.normalize(raw(body)).posts] == [
        p.id for p in LI.normalize(raw(body)).posts
    ]


def test_challenge_code_is_answered_with_its_hex_hmac() -> None:
    code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
    answer = LI.handshake({"challengeCode": code}, SECRETS)
    assert answer is not None and answer.status == 200
    assert answer.content_type == "application/json"
    expected_hex = hmac.new(b"li-client-secret", code.encode(), hashlib.sha256).hexdigest()
    assert json.loads(answer.body) == {"challengeCode": code, "challengeResponse": expected_hex}
    assert LI.handshake({}, SECRETS).status == 400  # type: ignore[union-attr]
    assert LI.handshake({"challengeCode": code}, {}).status == 403  # type: ignore[union-attr]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_NOTIFICATIONS_WEBHOOK)))
def test_hostile_notifications_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(LI, raw(body))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile(json.loads(HANDMADE_COMMENTS_API)))
def test_hostile_comment_pages_give_only_results_or_normalize_errors(body: bytes) -> None:
    assert_clean(LI, raw(body, channel=ORG))


def test_deletions_and_unknown_actions_are_skipped_unless_they_carry_words() -> None:
    doc = json.loads(HANDMADE_NOTIFICATIONS_WEBHOOK)
    comment, like = doc["notifications"][0], doc["notifications"][3]
    doc["notifications"] = [
        {**like, "action": "COMMENT_DELETE"},
        {**like, "action": "SOMETHING_NEW"},
        {**comment, "action": "SOMETHING_NEW"},
    ]
    result = LI.normalize(raw(doc))
    assert [p.native_id for p in result.posts] == ["7094977717598625792"]
    assert [(s.code, s.index) for s in result.skipped] == [
        ("deleted", 0),
        ("unsupported_action", 1),
    ]


def test_the_documented_notification_sample_alone_maps_every_canonical_field() -> None:
    result = LI.normalize(raw(fixture("linkedin", "doc_comment_notification.json")))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [
        expected(
            id="linkedin:7094977717598625792",
            platform="linkedin",
            channel=ORG,
            kind="comment",
            native_id="7094977717598625792",
            thread_id=f"linkedin:{ACTIVITY}",
            in_reply_to=f"linkedin:{ACTIVITY}",
            author={"id": "urn:li:person:zLqTygBP8S"},
            text="Commenting as Sumit Butola...",
            created_at="2023-08-09T09:48:26.310000Z",
        )
    ]


def test_a_pulled_notification_naming_no_organization_takes_the_channel() -> None:
    note = fixture_json("linkedin", "doc_comment_notification.json")
    del note["organizationalEntity"], note["notificationId"]
    (post,) = LI.normalize(raw({"elements": [note]}, channel=ORG)).posts
    assert (post.channel, post.native_id) == (ORG, "7094977717598625792")
    result = LI.normalize(raw({"elements": [note]}))
    assert [(e.code, e.field) for e in result.errors] == [
        ("missing_field", "elements[0].organizationalEntity")
    ]
