"""The hot-path case events are exactly what the typed contract would produce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_router.casestore import payload, payload_dict

AT = datetime(2026, 11, 18, 10, 0, 5, 123456, tzinfo=UTC)
CASE = {
    "id": "c1",
    "thread_id": "x:1",
    "status": "assigned",
    "team": "legal",
    "collaborators": ["support"],
    "assignee": "marc",
    "previous_assignee": None,
    "priority": "P1",
    "sla_due_at": AT,
    "tags": ["legal-threat"],
    "approvals": ["legal"],
    "platform": "x",
    "channel": "@brand",
    "post_ids": ["x:1"],
    "latest_post_id": "x:1",
    "post_received_at": AT,
    "opened_at": AT,
    "reason": "because",
    "decision": {"matched": [{"rule": "legal-litigation", "why": ["keywords: 'sue'"]}]},
    "version": 2,
}


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
