"""A decoded event's typed payload is validated once, and never served for another payload."""

from __future__ import annotations

from typing import Any

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.envelope import Envelope, make_event
from pydantic import ValidationError


def _raw(i: int) -> bytes:
    return make_event(
        "case.assigned",
        CaseEvent(case_id=f"c{i}", thread_id=f"t{i}", status="assigned", assignee="ann"),
        producer="t",
    ).to_bytes()


@pytest.mark.unit
def test_parsed_after_decoding_returns_the_payload_validated_by_the_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = Envelope.from_bytes(_raw(1))

    def no_second_validation(*_a: object, **_k: object) -> None:
        raise AssertionError("validated twice")

    monkeypatch.setattr(CaseEvent, "model_validate", no_second_validation)
    case = env.parsed()
    assert isinstance(case, CaseEvent) and case.case_id == "c1" and case.assignee == "ann"


@pytest.mark.unit
def test_a_copy_with_another_payload_is_validated_afresh() -> None:
    env = Envelope.from_bytes(_raw(2))
    moved = env.model_copy(update={"payload": {**env.payload, "assignee": "bob"}})
    assert moved.parsed().assignee == "bob"
    assert env.parsed().assignee == "ann"


@pytest.mark.unit
def test_decoded_events_compare_and_hash_as_before() -> None:
    raw = _raw(3)
    assert Envelope.from_bytes(raw) == Envelope.model_validate_json(raw)
    assert Envelope.from_bytes(raw).parsed() == CaseEvent.model_validate(
        Envelope.from_bytes(raw).payload
    )
    assert hash(Envelope.from_bytes(raw)) == hash(Envelope.model_validate_json(raw))
    assert Envelope.from_bytes(raw) != Envelope.from_bytes(_raw(4))


@pytest.mark.unit
def test_a_trusted_envelope_is_the_one_model_construct_builds() -> None:
    built = make_event(
        "case.assigned",
        CaseEvent(case_id="c9", thread_id="t9", status="assigned", assignee="ann"),
        producer="router",
    )
    values = dict(built.__dict__)
    trusted = Envelope.trusted(
        event_id=values["event_id"],
        type=values["type"],
        occurred_at=values["occurred_at"],
        producer=values["producer"],
        trace_id=values["trace_id"],
        payload=values["payload"],
    )
    constructed = Envelope.model_construct(**values)
    assert trusted == constructed == built
    assert trusted.__pydantic_fields_set__ == constructed.__pydantic_fields_set__
    assert trusted.__pydantic_private__ == constructed.__pydantic_private__ == {"_typed": None}
    assert trusted.to_bytes() == built.to_bytes()
    assert trusted.parsed() == CaseEvent.model_validate(built.payload)
    fresh = Envelope.trusted(
        type="case.assigned", occurred_at=built.occurred_at, producer="router",
        trace_id="t", payload=built.payload,
    )  # fmt: skip
    assert fresh.event_id.version == 7 and fresh.event_id != built.event_id


@pytest.mark.unit
def test_constructed_is_what_model_construct_builds_and_what_validation_gives() -> None:
    from chorus_common.contracts.events import Signals, constructed

    values: dict[str, Any] = {
        "sentiment_score": -0.4,
        "sentiment_label": "negative",
        "keywords": ("refund",),
        "entities": {"hashtags": ("recall",)},
        "personal_data": False,
    }
    fast = constructed(Signals, dict(values))
    slow = Signals.model_construct(**values)
    assert type(fast) is Signals and fast == slow == Signals(**values)
    assert fast.__pydantic_fields_set__ == slow.__pydantic_fields_set__ == set(values)
    assert fast.__pydantic_private__ is None and fast.__pydantic_extra__ is None
    assert fast.model_dump(mode="json") == Signals(**values).model_dump(mode="json")
    with pytest.raises(ValidationError):
        fast.sentiment_score = 0.0  # type: ignore[misc]  # still frozen
