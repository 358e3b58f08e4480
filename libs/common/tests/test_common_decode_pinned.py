"""What ``Envelope.from_bytes`` gives for valid and invalid messages, pinned.

Every consumer decodes every message with it, and what it raises is what the dead-letter
record says (code, field, message): the rejected inputs below pin those, captured from the
decoder as it is. Valid envelopes of every type decode with their datetimes in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.contracts.events import (
    AlertEvent,
    Author,
    CaseEvent,
    DeadLetter,
    HandOff,
    Media,
    Metrics,
    Post,
    PostReceived,
    ReplyEvent,
    Signals,
    TimeInHands,
)
from chorus_common.messaging.envelope import DecodeError, Envelope, make_event
from pydantic import BaseModel

pytestmark = pytest.mark.unit


# --------------------------------------------------------------------------- realistic events

TEXT = (
    "@brand I ordered the blue jacket three weeks ago (order #A-99812) and it still hasn't "
    "arrived. Tracking says 'in transit' since the 3rd. Really disappointed 😤 Can someone help?"
)
T0 = datetime(2026, 3, 14, 8, 27, tzinfo=UTC)


def _post(**kw: Any) -> Post:
    base: dict[str, Any] = dict(
        id="x:1790012345678901234",
        platform="x",
        channel="@brand",
        kind="mention",
        native_id="1790012345678901234",
        url="https://x.com/jdoe/status/1790012345678901234",
        thread_id="x:1790012345678901234",
        author=Author(id="44196397", handle="@jdoe", display_name="Jane Doe", followers=1834),
        text=TEXT,
        lang="en",
        created_at=datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=timezone(timedelta(hours=1))),
        received_at=datetime(2026, 3, 14, 8, 26, 55, 120000, tzinfo=UTC),
        metrics=Metrics(likes=3, shares=1, replies=2, views=412),
        media=(Media(type="image", url="https://pbs.example/1.jpg"),),
        signals=Signals(
            sentiment_score=-0.72,
            sentiment_label="negative",
            keywords=("delivery", "order"),
            entities={"order": ("A-99812",), "product": ("blue jacket",)},
        ),
    )
    base.update(kw)
    return Post(**base)


def _case(**kw: Any) -> CaseEvent:
    base: dict[str, Any] = dict(
        case_id="c-7f3a9e2b4c",
        thread_id="x:1790012345678901234",
        status="assigned",
        team="support-eu",
        collaborators=("billing",),
        assignee="m-ann",
        priority="P2",
        sla_due_at=T0 + timedelta(hours=2),
        tags=("delivery", "vip"),
        approvals_required=("lead",),
        platform="x",
        channel="@brand",
        post_ids=("x:1", "x:2"),
        latest_post_id="x:2",
        post_received_at=T0 - timedelta(seconds=5),
        opened_at=T0,
        reason="rule:delivery-negative",
        decision={"rule": "delivery", "score": 0.82, "matched": ["delivery"], "n": {"a": None}},
        version=3,
        handoffs=(HandOff(at=T0, event="case.assigned", to_team="support-eu", to_member="m-ann"),),
        time_in_hands=(TimeInHands(team="support-eu", state="open", seconds=12.5),),
        time_in_hands_at=T0 + timedelta(seconds=30),
    )
    base.update(kw)
    return CaseEvent(**base)


def _reply(**kw: Any) -> ReplyEvent:
    base: dict[str, Any] = dict(
        reply_id="r-19ab",
        case_id="c-7f3a9e2b4c",
        post_id="x:1",
        status="pending_approval",
        text="Hi Jane, so sorry about this!",
        approvals_required=("lead",),
        drafted_at=T0,
    )
    base.update(kw)
    return ReplyEvent(**base)


SAMPLE_PAYLOADS: dict[type[BaseModel], BaseModel] = {
    PostReceived: PostReceived(post=_post()),
    CaseEvent: _case(),
    ReplyEvent: _reply(),
    AlertEvent: AlertEvent(alert_id="a1", subject="kw:refund", rate=4.5, sample_post_ids=("x:1",)),
    DeadLetter: DeadLetter.of(error="bad", error_code="invalid_json", source="t", original=b"{"),
}


def _made(type_: str, payload: BaseModel) -> bytes:
    return make_event(type_, payload, producer="test", trace_id="ab" * 16).to_bytes()


ALL_TYPES = {t: _made(t, SAMPLE_PAYLOADS[k.payload]) for t, k in EVENT_TYPES.items()}

# --------------------------------------------------------------------------- hand-written JSON

ENV = {
    "event_id": "0b7e9a4c-6a3e-4d1f-9a56-3f1c2b8d7e10",
    "type": "case.assigned",
    "schema_version": 1,
    "occurred_at": "2026-03-14T08:27:00Z",
    "producer": "router",
    "trace_id": "5f0c1d2e3b4a59687766554433221100",
}
CASE = {"case_id": "c1", "thread_id": "t1", "status": "assigned", "assignee": "ann"}
POST = {
    "id": "x:1",
    "platform": "x",
    "channel": "@brand",
    "kind": "mention",
    "native_id": "1",
    "thread_id": "x:1",
    "author": {"id": "u1"},
    "text": "hi",
    "created_at": "2026-01-01T12:00:00+02:00",
    "received_at": "2026-01-01T10:00:01Z",
}
REPLY = {"reply_id": "r1", "case_id": "c1", "status": "draft"}
_CASE = object()


def env(payload: Any = _CASE, drop: tuple[str, ...] = (), **over: Any) -> bytes:
    e = {**ENV, "payload": CASE if payload is _CASE else payload, **over}
    for k in drop:
        e.pop(k, None)
    return orjson.dumps(e)


def post_env(drop: tuple[str, ...] = (), **post_over: Any) -> bytes:
    p = {**POST, **post_over}
    for k in drop:
        p.pop(k)
    return env({"post": p}, type="post.received")


VALID = {
    **{f"made_{t}": raw for t, raw in ALL_TYPES.items()},
    "case_minimal": env(),
    "case_nulls": env({**CASE, "team": None, "handoffs": None, "time_in_hands": None}),
    "case_naive_handoff_kept_naive": env(
        {**CASE, "handoffs": [{"at": "2026-01-01T10:00:00", "event": "e"}], "sla_due_at": 0}
    ),
    "case_decision_nested": env({**CASE, "decision": {"a": [1, {"b": None}], "c": 1.5}}),
    "case_tuples_from_lists": env({**CASE, "tags": [], "post_ids": ["p1", "p2"]}),
    "occurred_naive": env(occurred_at="2026-03-14T08:27:00"),
    "occurred_offset": env(occurred_at="2026-03-14T10:27:00.123+02:00"),
    "occurred_negative_offset": env(occurred_at="2026-03-14T02:57:00-05:30"),
    "occurred_plus_zero": env(occurred_at="2026-03-14T08:27:00+00:00"),
    "occurred_unix_int": env(occurred_at=1773476820),
    "occurred_unix_float": env(occurred_at=1773476820.25),
    "occurred_date_only": env(occurred_at="2026-03-14"),
    "occurred_nanoseconds_truncated": env(occurred_at="2026-03-14T08:27:00.123456789Z"),
    "occurred_space_separator": env(occurred_at="2026-03-14 08:27:00Z"),
    "version_absent": env(drop=("schema_version",)),
    "version_zero": env(schema_version=0),
    "version_negative": env(schema_version=-3),
    "version_string": env(schema_version="1"),
    "version_float": env(schema_version=1.0),
    "version_bool": env(schema_version=True),
    "event_id_upper": env(event_id="0B7E9A4C-6A3E-4D1F-9A56-3F1C2B8D7E10"),
    "event_id_hex": env(event_id="0b7e9a4c6a3e4d1f9a563f1c2b8d7e10"),
    "post_minimal": post_env(),
    "post_naive": post_env(created_at="2026-01-01T10:00:00", received_at="2026-01-01T10:00:01"),
    "post_utc": post_env(created_at="2026-01-01T10:00:00Z"),
    "post_offsets": post_env(
        created_at="2026-01-01T03:00:00-07:00", received_at="2026-01-01T23:00:01+13:00"
    ),
    "post_unix": post_env(created_at=1767261600, received_at=1767261601.5),
    "post_optional_nulls": post_env(
        url=None, in_reply_to=None, lang=None, rating=None, author={"id": "u", "handle": None}
    ),
    "post_everything": post_env(
        url="https://x.com/1",
        in_reply_to="x:0",
        lang="fr",
        rating=5,
        author={"id": "u", "followers": 0, "verified": True, "url": "https://x.com/u"},
        metrics={"likes": 1},
        media=[{"type": "video", "url": "https://v/1"}],
        signals={"keywords": ["a"], "entities": {"org": ["acme", "co"]}, "personal_data": True},
    ),
    "post_update_revision": env(
        {"post": POST, "is_update": True, "revision": 7}, type="post.received"
    ),
    "reply_minimal": env(REPLY, type="reply.sent"),
    "reply_nulls": env({**REPLY, "text": None, "drafted_at": None}, type="reply.failed"),
    "reply_naive_drafted_kept_naive": env(
        {**REPLY, "drafted_at": "2026-01-01T10:00:00"}, type="reply.drafted"
    ),
    "alert_minimal": env({"alert_id": "a", "subject": "s"}, type="alert.sla"),
    "dead_letter_minimal": env(
        {"error": "e", "error_code": "c", "source": "s"}, type="dead_letter"
    ),
    "duplicate_keys_last_wins": (
        b'{"type": "case.opened", "type": "case.assigned", "producer": "p", '
        b'"event_id": "0b7e9a4c-6a3e-4d1f-9a56-3f1c2b8d7e10", "occurred_at": "2026-01-01T00:00:00Z",'
        b' "trace_id": "t", "payload": {"case_id": "c", "thread_id": "t", "status": "new"}}'
    ),
}


@pytest.mark.parametrize("raw", VALID.values(), ids=VALID.keys())
def test_decoded_datetimes_are_utc_where_the_models_say_so(raw: bytes) -> None:
    env = Envelope.from_bytes(raw)
    assert env.occurred_at.tzinfo is UTC
    typed = env.parsed()
    if isinstance(typed, PostReceived):
        assert typed.post.created_at.tzinfo is UTC
        assert typed.post.received_at.tzinfo is UTC


def test_a_post_converted_to_utc_keeps_the_instant() -> None:
    env = Envelope.from_bytes(
        post_env(created_at="2026-01-01T03:00:00-07:00", received_at="2026-01-01T10:00:01")
    )
    post = env.parsed().post
    assert post.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert post.received_at == datetime(2026, 1, 1, 10, 0, 1, tzinfo=UTC)
    assert env.payload["post"]["created_at"] == "2026-01-01T03:00:00-07:00"


def test_absent_ids_and_times_get_defaults() -> None:
    raw = orjson.dumps(
        {
            "type": "post.received",
            "producer": "p",
            "payload": {"post": {k: v for k, v in POST.items() if k != "received_at"}},
        }
    )
    before = datetime.now(UTC)
    env = Envelope.from_bytes(raw)
    after = datetime.now(UTC)
    assert {"type", "producer", "payload"} == env.__pydantic_fields_set__
    assert env.event_id.version == 7, "time-ordered (new_event_id)"
    assert len(env.trace_id) == 32
    assert before <= env.occurred_at <= after and env.occurred_at.tzinfo is UTC
    post = env.parsed().post
    assert before <= post.received_at <= after and post.received_at.tzinfo is UTC


@pytest.mark.parametrize("type_", sorted(EVENT_TYPES))
def test_every_event_type_survives_a_round_trip(type_: str) -> None:
    raw = ALL_TYPES[type_]
    env = Envelope.from_bytes(raw)
    assert env.type == type_
    assert env.to_bytes() == raw
    assert type(env.parsed()) is EVENT_TYPES[type_].payload
    assert env.parsed() == EVENT_TYPES[type_].payload.model_validate(env.payload)


# --------------------------------------------------------------------------- rejected inputs

# Captured from the decoder as it is. ``invalid_json`` messages are orjson's own
# wording after the prefix, so only the prefix is pinned for them.
INVALID = [
    (b"{nope", "invalid_json", None, "not JSON: "),
    (b"", "invalid_json", None, "not JSON: "),
    (b"[1,2]", "invalid_envelope", None, "envelope must be a JSON object"),
    (b'"just a string"', "invalid_envelope", None, "envelope must be a JSON object"),
    (b"null", "invalid_envelope", None, "envelope must be a JSON object"),
    (b"42", "invalid_envelope", None, "envelope must be a JSON object"),
    (
        b'{"type": "case.assigned", "producer": "p", "payload": {"n": 123456789012345678901234567890}}',
        "invalid_payload",
        "payload.case_id",
        "payload.case_id: Field required",
    ),
    (
        b'{"type": "case.assigned", "producer": "p", "payload": {"n": NaN}}',
        "invalid_json",
        None,
        "not JSON: ",
    ),
    (env(drop=("type",)), "invalid_envelope", "type", "type: Field required"),
    (env(drop=("producer",)), "invalid_envelope", "producer", "producer: Field required"),
    (env(drop=("payload",)), "invalid_envelope", "payload", "payload: Field required"),
    (env(type=123), "invalid_envelope", "type", "type: Input should be a valid string"),
    (env(type=None), "invalid_envelope", "type", "type: Input should be a valid string"),
    (
        env(type=["case.assigned"]),
        "invalid_envelope",
        "type",
        "type: Input should be a valid string",
    ),
    (env(type={"a": 1}), "invalid_envelope", "type", "type: Input should be a valid string"),
    (env(producer=7), "invalid_envelope", "producer", "producer: Input should be a valid string"),
    (
        env(event_id="not-a-uuid"),
        "invalid_envelope",
        "event_id",
        "event_id: Input should be a valid UUID, invalid character: found `n` at 0",
    ),
    (
        env(event_id=12),
        "invalid_envelope",
        "event_id",
        "event_id: UUID input should be a string, bytes or UUID object",
    ),
    (
        env(occurred_at="yesterday"),
        "invalid_envelope",
        "occurred_at",
        "occurred_at: Input should be a valid datetime or date, input is too short",
    ),
    (
        env(occurred_at="2026-02-30T00:00:00Z"),
        "invalid_envelope",
        "occurred_at",
        "occurred_at: Input should be a valid datetime or date, day value is outside expected range",
    ),
    (
        env(trace_id=None),
        "invalid_envelope",
        "trace_id",
        "trace_id: Input should be a valid string",
    ),
    (
        env(schema_version="x"),
        "invalid_envelope",
        "schema_version",
        "schema_version: Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        env(schema_version=1.5),
        "invalid_envelope",
        "schema_version",
        "schema_version: Input should be a valid integer, got a number with a fractional part",
    ),
    (
        env(schema_version=2),
        "unsupported_version",
        "schema_version",
        "schema_version 2 is newer than 1",
    ),
    (
        env(schema_version=99, payload={"bad": True}),
        "unsupported_version",
        "schema_version",
        "schema_version 99 is newer than 1",
    ),
    (
        env(payload=[1, 2]),
        "invalid_envelope",
        "payload",
        "payload: Input should be a valid dictionary",
    ),
    (
        env(payload="x"),
        "invalid_envelope",
        "payload",
        "payload: Input should be a valid dictionary",
    ),
    (
        env(payload=None),
        "invalid_envelope",
        "payload",
        "payload: Input should be a valid dictionary",
    ),
    (env(extra="nope"), "invalid_envelope", "extra", "extra: Extra inputs are not permitted"),
    (env(_typed=None), "invalid_envelope", "_typed", "_typed: Extra inputs are not permitted"),
    (env(type="what.ever"), "unknown_type", "type", "unknown event type 'what.ever'"),
    (
        env(type="what.ever", producer=None),
        "invalid_envelope",
        "producer",
        "producer: Input should be a valid string",
    ),
    (
        env(type="what.ever", schema_version=2),
        "unknown_type",
        "type",
        "unknown event type 'what.ever'",
    ),
    (env(type="Case.Assigned"), "unknown_type", "type", "unknown event type 'Case.Assigned'"),
    (
        env(producer=None, payload={"status": "nope"}),
        "invalid_envelope",
        "producer",
        "producer: Input should be a valid string",
    ),
    (env(payload={}), "invalid_payload", "payload.case_id", "payload.case_id: Field required"),
    (
        env(payload={**CASE, "status": "nope"}),
        "invalid_payload",
        "payload.status",
        "payload.status: Input should be 'new', 'assigned', 'waiting_approval', 'replied', 'resolved', 'reopened' or 'queued'",
    ),
    (
        env(payload={**CASE, "tags": "vip"}),
        "invalid_payload",
        "payload.tags",
        "payload.tags: Input should be a valid tuple",
    ),
    (
        env(payload={**CASE, "priority": "P9", "status": "bad"}),
        "invalid_payload",
        "payload.status",
        "payload.status: Input should be 'new', 'assigned', 'waiting_approval', 'replied', 'resolved', 'reopened' or 'queued'",
    ),
    (
        env(payload={**CASE, "version": "one"}),
        "invalid_payload",
        "payload.version",
        "payload.version: Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        env(payload={**CASE, "sla_due_at": "soon"}),
        "invalid_payload",
        "payload.sla_due_at",
        "payload.sla_due_at: Input should be a valid datetime or date, input is too short",
    ),
    (
        env(payload={**CASE, "handoffs": [{"event": "x"}]}),
        "invalid_payload",
        "payload.handoffs.0.at",
        "payload.handoffs.0.at: Field required",
    ),
    (
        env(payload={**CASE, "time_in_hands": [{"team": "a", "state": "gone", "seconds": 1}]}),
        "invalid_payload",
        "payload.time_in_hands.0.state",
        "payload.time_in_hands.0.state: Input should be 'open', 'waiting_approval' or 'waiting_customer'",
    ),
    (
        env(payload={**CASE, "unknown_key": 1}),
        "invalid_payload",
        "payload.unknown_key",
        "payload.unknown_key: Extra inputs are not permitted",
    ),
    (
        env(type="post.received", payload={}),
        "invalid_payload",
        "payload.post",
        "payload.post: Field required",
    ),
    (
        env(type="post.received", payload={"post": None}),
        "invalid_payload",
        "payload.post",
        "payload.post: Input should be a valid dictionary or instance of Post",
    ),
    (
        env(type="post.received", payload={"post": POST, "revision": 0}),
        "invalid_payload",
        "payload.revision",
        "payload.revision: Input should be greater than or equal to 1",
    ),
    (
        post_env(rating=6),
        "invalid_payload",
        "payload.post.rating",
        "payload.post.rating: Input should be less than or equal to 5",
    ),
    (
        post_env(id="ab"),
        "invalid_payload",
        "payload.post.id",
        "payload.post.id: String should have at least 3 characters",
    ),
    (
        post_env(platform="myspace"),
        "invalid_payload",
        "payload.post.platform",
        "payload.post.platform: Input should be 'x', 'facebook', 'messenger', 'instagram', 'whatsapp', 'google_business', 'youtube', 'reddit', 'mastodon', 'threads', 'bluesky', 'rss', 'linkedin', 'trustpilot', 'email', 'generic', 'google_play', 'app_store' or 'tiktok'",
    ),
    (
        post_env(created_at="not a date"),
        "invalid_payload",
        "payload.post.created_at",
        "payload.post.created_at: Input should be a valid datetime or date, invalid character in year",
    ),
    (
        post_env(drop=("created_at",)),
        "invalid_payload",
        "payload.post.created_at",
        "payload.post.created_at: Field required",
    ),
    (
        post_env(received_at=None),
        "invalid_payload",
        "payload.post.received_at",
        "payload.post.received_at: Input should be a valid datetime",
    ),
    (
        post_env(author={"id": ""}),
        "invalid_payload",
        "payload.post.author.id",
        "payload.post.author.id: String should have at least 1 character",
    ),
    (
        post_env(author={"id": "u", "followers": -1}),
        "invalid_payload",
        "payload.post.author.followers",
        "payload.post.author.followers: Input should be greater than or equal to 0",
    ),
    (
        post_env(metrics={"likes": -1}),
        "invalid_payload",
        "payload.post.metrics.likes",
        "payload.post.metrics.likes: Input should be greater than or equal to 0",
    ),
    (
        post_env(signals={"sentiment_score": 2}),
        "invalid_payload",
        "payload.post.signals.sentiment_score",
        "payload.post.signals.sentiment_score: Input should be less than or equal to 1",
    ),
    (
        post_env(signals={"entities": {"org": "acme"}}),
        "invalid_payload",
        "payload.post.signals.entities.org",
        "payload.post.signals.entities.org: Input should be a valid tuple",
    ),
    (
        post_env(media=[{"type": "image"}]),
        "invalid_payload",
        "payload.post.media.0.url",
        "payload.post.media.0.url: Field required",
    ),
    (
        post_env(surprise=True),
        "invalid_payload",
        "payload.post.surprise",
        "payload.post.surprise: Extra inputs are not permitted",
    ),
    (
        env(type="reply.drafted", payload={}),
        "invalid_payload",
        "payload.reply_id",
        "payload.reply_id: Field required",
    ),
    (
        env(type="reply.sent", payload={**REPLY, "status": "lost"}),
        "invalid_payload",
        "payload.status",
        "payload.status: Input should be 'draft', 'pending_approval', 'approved', 'rejected', 'sending', 'sent' or 'failed'",
    ),
    (
        env(type="alert.buzz", payload={"alert_id": "a1", "subject": "s", "state": "boiling"}),
        "invalid_payload",
        "payload.state",
        "payload.state: Input should be 'raised' or 'cleared'",
    ),
    (
        env(type="dead_letter", payload={"error": "e"}),
        "invalid_payload",
        "payload.error_code",
        "payload.error_code: Field required",
    ),
]


@pytest.mark.parametrize(
    ("raw", "code", "field", "message"), INVALID, ids=[f"{i}-{c[1]}" for i, c in enumerate(INVALID)]
)
def test_rejected_inputs_keep_their_code_field_and_message(
    raw: bytes, code: str, field: str | None, message: str
) -> None:
    with pytest.raises(DecodeError) as info:
        Envelope.from_bytes(raw)
    assert info.value.code == code
    assert info.value.field == field
    if code == "invalid_json":
        assert str(info.value).startswith(message)
    else:
        assert str(info.value) == message


# Python's datetime overflows converting these to UTC: a validation error naming the field
# (an OverflowError used to escape the decoder, and a consumer would have retried forever).
OVERFLOWING = [
    (env(occurred_at="0001-01-01T00:00:00+01:00"), "invalid_envelope", "occurred_at"),
    (
        post_env(created_at="0001-01-01T00:30:00+05:00"),
        "invalid_payload",
        "payload.post.created_at",
    ),
    (
        post_env(received_at="0001-01-01T00:30:00+05:00"),
        "invalid_payload",
        "payload.post.received_at",
    ),
]


@pytest.mark.parametrize(("raw", "code", "field"), OVERFLOWING)
def test_datetimes_overflowing_utc_are_rejected_with_their_field(
    raw: bytes, code: str, field: str
) -> None:
    with pytest.raises(DecodeError) as info:
        Envelope.from_bytes(raw)
    assert (info.value.code, info.value.field) == (code, field)
    assert str(info.value) == f"{field}: Value error, datetime out of range in UTC"


# --------------------------------------------------------------------------- one call, or step by step


def _step_by_step(raw: bytes) -> Envelope:
    """The envelope as validated field group by field group: envelope, then payload."""
    env = Envelope.model_validate(orjson.loads(raw))
    EVENT_TYPES[env.type].payload.model_validate(env.payload)
    return env


@pytest.mark.unit
@pytest.mark.parametrize("type_", sorted(EVENT_TYPES))
def test_a_valid_message_is_validated_in_one_call_with_the_same_result(
    type_: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = ALL_TYPES[type_]
    reference = _step_by_step(raw)
    calls: list[str] = []
    real = Envelope.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Envelope], /, *a: Any, **k: Any) -> Envelope:
        calls.append(cls.__name__)
        return real(cls, *a, **k)

    monkeypatch.setattr(Envelope, "model_validate", classmethod(counted))
    env = Envelope.from_bytes(raw)
    assert calls == [], "the envelope on its own was not validated"
    assert env == reference and type(env) is Envelope
    assert env.__pydantic_fields_set__ == reference.__pydantic_fields_set__
    assert env.to_bytes() == reference.to_bytes() == raw
    assert env.parsed() == EVENT_TYPES[type_].payload.model_validate(env.payload)
    assert env.parsed() is env.parsed(), "the typed payload of the one call is kept"
    assert env.occurred_at.tzinfo is UTC
