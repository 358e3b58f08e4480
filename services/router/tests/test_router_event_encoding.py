"""The hot-path case events are exactly what the typed contract would produce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_router.casework.case import Case
from chorus_router.casework.store import payload, payload_dict

AT = datetime(2026, 11, 18, 10, 0, 5, 123456, tzinfo=UTC)
CASE = Case(
    id="c1",
    thread_id="x:1",
    platform="x",
    channel="@brand",
    status="assigned",
    team="legal",
    collaborators=["support"],
    assignee="marc",
    previous_assignee=None,
    escalated_to=None,
    priority="P1",
    tags=["legal-threat"],
    approvals=["legal"],
    skills=[],
    language="en",
    weight=2.0,
    never_alone=False,
    crisis=None,
    sla_minutes=60,
    sla_due_at=AT,
    sla_breached_at=None,
    first_response_at=None,
    opened_at=AT,
    updated_at=AT,
    assigned_at=AT,
    resolved_at=None,
    post_received_at=AT,
    latest_post_id="x:1",
    post_ids=["x:1"],
    post_count=1,
    decision={"matched": [{"rule": "legal-litigation", "why": ["keywords: 'sue'"]}]},
    reason="because",
    version=2,
)


@pytest.mark.unit
def test_hot_path_envelope_bytes_decode_to_the_same_case_event() -> None:
    fast = Envelope.trusted(
        event_id=make_event("case.assigned", payload(CASE), producer="router").event_id,
        type="case.assigned",
        occurred_at=AT,
        producer="router",
        trace_id="t",
        payload=payload_dict(CASE),
    )
    assert b'"occurred_at":"2026-11-18T10:00:05.123456Z"' in fast.to_bytes()
    decoded = Envelope.from_bytes(fast.to_bytes())
    assert decoded.parsed() == payload(CASE)
    assert decoded.occurred_at == AT
    assert CaseEvent.model_validate(payload_dict(CASE)) == payload(CASE)
    canonical = make_event("case.assigned", payload(CASE), producer="router")
    assert CaseEvent.model_validate(decoded.payload) == canonical.parsed()
