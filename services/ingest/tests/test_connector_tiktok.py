"""TikTok business comments: the recorded comment/reply lists, comment.update webhooks, the
TikTok-Signature check (valid, missing, wrong, replayed) and the comment-list poll."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chorus_platforms.kit.inbound import NormalizeError, SignatureError
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from chorus_platforms.tiktok.inbound import TikTokConnector
from chorus_platforms.tiktok.webhook import sign
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.tests.connector_kit import (
    NOW,
    canonical,
    clean_outcome,
    expected,
    fixture,
    mutated,
    raw,
)
from services.ingest.tests.handmade_tiktok import HANDMADE_COMMENT_LIST, HANDMADE_REPLY_LIST

pytestmark = pytest.mark.unit
TT = TikTokConnector()
BIZ = "business-1"
VIDEO = "7109065174526479622"
SECRET = "app-secret"
KLEIN = "6faa870ee45c1f68a2d98d50e09f222a04069380c1032f1919f3ffe25be1f085"
NICE = expected(
    id=f"tiktok:{VIDEO}:7110150495453840130",
    platform="tiktok",
    channel=BIZ,
    kind="comment",
    native_id=f"{VIDEO}:7110150495453840130",
    thread_id=f"tiktok:{VIDEO}",
    in_reply_to=f"tiktok:{VIDEO}",
    author={
        "id": "367b786990e8dcebcf493e035b820f5be4834422511c851b3bd0010f9690adbc",
        "handle": "phoenix202312121",
        "url": "https://www.tiktok.com/@phoenix202312121",
    },
    text="nice",
    created_at="2022-06-17T10:18:18Z",
    metrics={"likes": 0, "shares": 0, "replies": 11, "views": 0},
)
XXX = expected(
    id=f"tiktok:{VIDEO}:7111907185164763905",
    platform="tiktok",
    channel=BIZ,
    kind="comment",
    native_id=f"{VIDEO}:7111907185164763905",
    thread_id=f"tiktok:{VIDEO}",
    in_reply_to=f"tiktok:{VIDEO}",
    author={"id": KLEIN, "handle": "klein_kunkun", "url": "https://www.tiktok.com/@klein_kunkun"},
    text="xxxxxxxx",
    created_at="2022-06-22T03:53:25Z",
)
HH = expected(
    id=f"tiktok:{VIDEO}:7115302925501563650",
    platform="tiktok",
    channel=BIZ,
    kind="reply",
    native_id=f"{VIDEO}:7115302925501563650",
    thread_id=f"tiktok:{VIDEO}",
    in_reply_to=f"tiktok:{VIDEO}:7111907185164763905",
    author={"id": KLEIN, "handle": "klein_kunkun", "url": "https://www.tiktok.com/@klein_kunkun"},
    text="hh",
    created_at="2022-07-01T07:30:22Z",
)


def _event(**content: Any) -> dict[str, Any]:
    """A comment.update event with the fields TikTok's documentation lists."""
    body = {
        "comment_id": 7247303576418566913,
        "video_id": 7203946942097902849,
        "parent_comment_id": 0,
        "comment_type": "comment",
        "comment_action": "insert",
        "unique_identifier": "klein_kunkun",
        "timestamp": 1687394416109,
        **content,
    }
    return {
        "client_key": "bwo2m45353a6k85",
        "event": "comment.update",
        "create_time": 1687394416,
        "user_openid": BIZ,
        "content": json.dumps(body),
    }


def _signed(body: bytes, stamp: int | None = None) -> dict[str, str]:
    t = str(int(NOW.timestamp()) if stamp is None else stamp)
    return {"tiktok-signature": f"t={t},s={sign(SECRET, t, body)}"}


def test_tiktok_is_registered_as_connector_and_poll_source() -> None:
    assert isinstance(CONNECTORS["tiktok"], TikTokConnector)
    assert isinstance(POLL_SOURCES["tiktok"], TikTokConnector)


def test_recorded_comment_list_maps_every_field() -> None:
    result = TT.normalize(raw(HANDMADE_COMMENT_LIST, channel=BIZ))
    assert result.errors == [] and result.skipped == []
    assert [canonical(p) for p in result.posts] == [NICE, XXX]


def test_recorded_reply_list_answers_its_comment_under_the_same_video() -> None:
    [post] = TT.normalize(raw(HANDMADE_REPLY_LIST, channel=BIZ)).posts
    assert canonical(post) == HH


def test_replies_inlined_in_a_comment_list_are_items_of_their_own() -> None:
    doc = json.loads(HANDMADE_COMMENT_LIST)
    reply = json.loads(HANDMADE_REPLY_LIST)["data"]["comments"][0]
    doc["data"]["comments"][1]["reply_list"] = [reply]
    result = TT.normalize(raw(doc, channel=BIZ))
    assert [canonical(p) for p in result.posts] == [NICE, XXX, HH]


def test_the_business_accounts_own_comment_is_the_brands_post() -> None:
    doc = json.loads(HANDMADE_COMMENT_LIST)
    doc["data"]["comments"][0]["owner"] = True
    first = TT.normalize(raw(doc, channel=BIZ)).posts[0]
    assert (first.from_brand, first.author.id) == (True, BIZ)


def test_a_comment_update_with_text_is_a_post_and_other_actions_are_skips() -> None:
    insert = _event(comment_type="reply", parent_comment_id=7235861947622916866, text="Love it")
    [post] = TT.normalize(raw(insert)).posts
    assert (post.native_id, post.kind, post.in_reply_to, post.text, post.channel) == (
        "7203946942097902849:7247303576418566913",
        "reply",
        "tiktok:7203946942097902849:7235861947622916866",
        "Love it",
        BIZ,
    )
    assert post.created_at.isoformat() == "2023-06-22T00:40:16.109000+00:00"
    for event, code in [
        (_event(), "fetch_needed"),
        (_event(comment_action="delete"), "deleted"),
        (_event(comment_action="set_to_hidden"), "visibility_change"),
    ]:
        result = TT.normalize(raw(event))
        assert result.posts == [] and [s.code for s in result.skipped] == [code]


def test_documented_non_comment_event_is_skipped() -> None:
    result = TT.normalize(raw(fixture("tiktok", "webhook_authorization_removed.json")))
    assert result.posts == [] and result.errors == []
    assert [(s.code, s.index) for s in result.skipped] == [("not_a_comment", 0)]


def test_a_bad_comment_is_an_item_error_and_the_rest_is_kept() -> None:
    doc = json.loads(HANDMADE_COMMENT_LIST)
    doc["data"]["comments"][0]["create_time"] = "yesterday"
    result = TT.normalize(raw(doc, channel=BIZ))
    assert [canonical(p) for p in result.posts] == [XXX]
    [error] = result.errors
    assert (error.code, error.field, error.index, error.native_id) == (
        "invalid_time",
        "data.comments[0].create_time",
        0,
        f"{VIDEO}:7110150495453840130",
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "invalid_json"),
        (b"[]", "invalid_shape"),
        (b'{"code": 40105, "message": "Access token is incorrect"}', "platform_error"),
        (b'{"code": 0, "data": {"comments": {}}}', "invalid_shape"),
    ],
)
def test_payloads_not_understood_raise_normalize_error(body: bytes, code: str) -> None:
    with pytest.raises(NormalizeError) as info:
        TT.normalize(raw(body, channel=BIZ))
    assert info.value.code == code


def test_a_valid_signature_passes() -> None:
    body = json.dumps(_event(text="hi")).encode()
    TT.verify(raw(body, headers=_signed(body)), {"client_secret": SECRET}, NOW)


@pytest.mark.parametrize(
    ("headers", "secrets", "status", "code"),
    [
        ({}, {"client_secret": SECRET}, 401, "missing_signature"),
        ({"tiktok-signature": "t=1,s=00"}, {"client_secret": SECRET}, 403, "signature_replayed"),
        ({"tiktok-signature": "garbage"}, {"client_secret": SECRET}, 403, "signature_invalid"),
        ("wrong", {"client_secret": SECRET}, 403, "signature_mismatch"),
        ("replayed", {"client_secret": SECRET}, 403, "signature_replayed"),
        ("valid", {}, 403, "secret_not_configured"),
    ],
)
def test_missing_wrong_replayed_or_unconfigured_signatures_are_refused(
    headers: Any, secrets: dict[str, str], status: int, code: str
) -> None:
    body = json.dumps(_event(text="hi")).encode()
    if headers == "wrong":
        headers = _signed(body + b" ")
    elif headers == "replayed":  # a genuine signature, replayed ten minutes later
        headers = _signed(body, int(NOW.timestamp()) - 600)
    elif headers == "valid":
        headers = _signed(body)
    with pytest.raises(SignatureError) as info:
        TT.verify(raw(body, headers=headers), secrets, NOW)
    assert (info.value.status, info.value.code) == (status, code)


def test_poll_request_lists_one_videos_comments_newest_first_with_replies() -> None:
    config = {"channel": BIZ, "video_id": VIDEO, "access_token": "act.tok"}
    first = TT.poll_request(config, {})
    assert first.url == "https://business-api.tiktok.com/open_api/v1.3/business/comment/list/"
    assert first.params == {
        "business_id": BIZ,
        "video_id": VIDEO,
        "include_replies": "true",
        "status": "ALL",
        "sort_field": "create_time",
        "sort_order": "desc",
        "max_count": "30",
    }
    assert first.headers == {"Access-Token": "act.tok"}
    assert TT.poll_request(config, {"page": "30"}).params["cursor"] == "30"
    with pytest.raises(ValueError, match="video_id"):
        TT.poll_request({"channel": BIZ, "access_token": "t"}, {})


def test_cursor_follows_data_cursor_while_has_more_then_moves_since() -> None:
    doc = json.loads(HANDMADE_COMMENT_LIST)
    doc["data"]["has_more"] = True
    page = raw(doc, channel=BIZ)
    cursor = TT.advance({}, TT.normalize(page), page)
    assert cursor == {"page": "2", "sweep_newest": "2022-06-22T03:53:25+00:00"}
    last = raw(HANDMADE_COMMENT_LIST, channel=BIZ)  # has_more false
    cursor = TT.advance(cursor, TT.normalize(last), last)
    assert cursor == {"since": "2022-06-22T03:53:25+00:00"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        mutated(json.loads(HANDMADE_COMMENT_LIST)),
        mutated(_event(text="hi")),
    )
)
def test_hostile_payloads_give_only_results_or_normalize_errors(body: bytes) -> None:
    clean_outcome(TT, raw(body, channel=BIZ))
