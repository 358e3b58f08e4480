"""The envelope on the wire: one encoder, times in UTC written with ``Z``, any offset read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from chorus_common.contracts.events import AlertEvent, Author, CaseEvent, Post, PostReceived
from chorus_common.messaging.envelope import Envelope, make_event

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 18, 10, 0, 5, 123456, tzinfo=UTC)


def _received() -> PostReceived:
    post = Post(
        id="x:1",
        platform="x",
        channel="@brand",
        kind="mention",
        native_id="1",
        thread_id="x:1",
        author=Author(id="u1", handle="@u1"),
        text="Hé 👋 @brand",
        created_at=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        received_at=AT,
    )
    return PostReceived(post=post)


def _events() -> list[Envelope]:
    case = CaseEvent(case_id="c1", thread_id="x:1", status="assigned", sla_due_at=AT)
    return [
        make_event("post.received", _received(), producer="ingest"),
        make_event("case.assigned", case, producer="router"),
        make_event("alert.buzz", AlertEvent(alert_id="a", subject="s"), producer="analytics"),
        Envelope.trusted(
            type="post.received",
            producer="ingest",
            trace_id="t",
            occurred_at=AT,
            payload=_received().model_dump(mode="json"),
        ),
    ]


@pytest.mark.parametrize("env", _events(), ids=lambda e: e.type)
def test_to_bytes_is_the_typed_document_pydantic_writes(env: Envelope) -> None:
    assert env.to_bytes() == orjson.dumps(env.model_dump(mode="json"))


def test_occurred_at_is_written_in_utc_with_z() -> None:
    env = Envelope.trusted(
        type="alert.buzz",
        producer="analytics",
        trace_id="t",
        occurred_at=AT,
        payload=AlertEvent(alert_id="a", subject="s").model_dump(mode="json"),
    )
    assert orjson.loads(env.to_bytes())["occurred_at"] == "2026-11-18T10:00:05.123456Z"
    at_two = make_event("alert.buzz", AlertEvent(alert_id="a", subject="s"), producer="x")
    assert orjson.loads(at_two.to_bytes())["occurred_at"].endswith("Z")


@pytest.mark.parametrize(
    "written",
    ["2026-11-18T10:00:05.123456Z", "2026-11-18T10:00:05.123456+00:00",
     "2026-11-18T12:00:05.123456+02:00"],
)  # fmt: skip
def test_readers_accept_z_and_offsets_alike(written: str) -> None:
    doc = orjson.loads(_events()[0].to_bytes())
    doc["occurred_at"] = written
    env = Envelope.from_bytes(orjson.dumps(doc))
    assert env.occurred_at == AT
    assert env.occurred_at.tzinfo is UTC
    assert orjson.loads(env.to_bytes())["occurred_at"] == "2026-11-18T10:00:05.123456Z"


def test_a_value_orjson_does_not_know_is_written_as_pydantic_writes_it() -> None:
    env = Envelope.trusted(
        type="alert.buzz",
        producer="analytics",
        trace_id="t",
        occurred_at=AT,
        payload={"alert_id": "a", "subject": "s", "id": uuid.UUID(int=7), "at": AT,
                 "model": AlertEvent(alert_id="b", subject="t")},
    )  # fmt: skip
    payload = orjson.loads(env.to_bytes())["payload"]
    assert payload["id"] == "00000000-0000-0000-0000-000000000007"
    assert payload["at"] == "2026-11-18T10:00:05.123456Z"
    assert payload["model"] == AlertEvent(alert_id="b", subject="t").model_dump(mode="json")
