"""The envelope contract: round trips, clear decode errors, partition keys."""

from __future__ import annotations

import pickle
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from chorus_common.contracts.events import Author, CaseEvent, DeadLetter, Post, PostReceived
from chorus_common.messaging.envelope import (
    DecodeError,
    Envelope,
    event_key,
    make_event,
    named_post_and_trace,
    new_event_id,
)

pytestmark = pytest.mark.unit


def _post(**kw) -> Post:
    base = dict(
        id="x:1",
        platform="x",
        channel="@brand",
        kind="mention",
        native_id="1",
        thread_id="x:1",
        author=Author(id="u1", handle="@u1"),
        text="Hé 👋 @brand https://t.co/x",
        created_at=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    )
    base.update(kw)
    return Post(**base)


def test_post_received_round_trips_exactly_with_utc_times() -> None:
    env = make_event("post.received", PostReceived(post=_post()), producer="test")
    back = Envelope.from_bytes(env.to_bytes())
    assert back == env
    post = back.parsed().post
    assert post.text == "Hé 👋 @brand https://t.co/x"
    assert post.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert event_key(back) == "x:1"


def test_case_events_are_keyed_by_thread() -> None:
    env = make_event(
        "case.opened", CaseEvent(case_id="c1", thread_id="t9", status="new"), producer="t"
    )
    assert env.topic == "chorus.cases.v1"
    assert event_key(env) == "t9"


def test_make_event_refuses_a_payload_of_the_wrong_type() -> None:
    with pytest.raises(TypeError):
        make_event("case.opened", PostReceived(post=_post()), producer="t")


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b"{nope", "invalid_json", None),
        (b"[1,2]", "invalid_envelope", None),
        (
            b'{"type": "post.received", "producer": "p", "payload": {}}',
            "invalid_payload",
            "payload.post",
        ),
        (b'{"type": "what.ever", "producer": "p", "payload": {}}', "unknown_type", "type"),
        (b'{"producer": "p", "payload": {}}', "invalid_envelope", "type"),
    ],
)
def test_decode_errors_name_code_and_field(raw: bytes, code: str, field: str | None) -> None:
    with pytest.raises(DecodeError) as info:
        Envelope.from_bytes(raw)
    assert info.value.code == code
    assert info.value.field == field


def test_newer_schema_versions_are_refused_not_misread() -> None:
    env = make_event(
        "case.opened", CaseEvent(case_id="c1", thread_id="t", status="new"), producer="t"
    )
    raw = env.to_bytes().replace(b'"schema_version":1', b'"schema_version":2')
    with pytest.raises(DecodeError) as info:
        Envelope.from_bytes(raw)
    assert info.value.code == "unsupported_version"


def test_dead_letter_keeps_the_original_bytes() -> None:
    dl = DeadLetter.of(error="bad", error_code="invalid_json", source="x", original=b"\x00\xffraw")
    assert dl.original() == b"\x00\xffraw"


def test_rating_outside_one_to_five_is_rejected() -> None:
    with pytest.raises(ValueError, match="rating"):
        _post(rating=6)


def test_event_ids_are_uuid7_and_ascend_with_time() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_event_id() for _ in range(2000)]
    after = time.time_ns() // 1_000_000
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    assert len(set(ids)) == len(ids)
    for i in ids[:50]:  # built without uuid.UUID's checks: a UUID like any other
        again = uuid.UUID(str(i))
        assert (i, hash(i), i.is_safe) == (again, hash(again), again.is_safe)
        assert pickle.loads(pickle.dumps(i)) == i and isinstance(i, uuid.UUID)
    stamps = [i.int >> 80 for i in ids]
    assert all(before <= s <= after for s in stamps)
    assert stamps == sorted(stamps), "milliseconds never go back"
    # the stored form (str) sorts like the time: ids of later milliseconds sort after
    later = new_event_id()
    while later.int >> 80 == stamps[-1]:
        later = new_event_id()
    assert str(later) > max(str(i) for i in ids)
    assert (
        make_event(
            "case.opened", CaseEvent(case_id="c", thread_id="t", status="new"), producer="p"
        ).event_id.version
        == 7
    )


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b'{"trace_id": "t1", "payload": {"post": {"id": "x:1"}}}', ("x:1", "t1")),
        (b'{"trace_id": "t2", "payload": {"post_id": "x:2", "reply_id": "r"}}', ("x:2", "t2")),
        (b'{"trace_id": 7, "payload": {"post": "x:3"}}', (None, None)),
        (b'{"payload": []}', (None, None)),
        (b"[1, 2]", (None, None)),
        (b"\xff not json", (None, None)),
    ],
)
def test_a_dead_letter_names_the_post_and_trace_of_what_it_carries(raw, named) -> None:
    assert named_post_and_trace(raw) == named
