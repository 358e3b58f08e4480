"""A decoded event's typed payload is validated once, and never served for another payload."""

from __future__ import annotations

import pytest
from chorus_common.events import CaseEvent, Envelope, make_event


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
