"""The typed case: its fields are the table's columns, and its transitions keep the rules."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from chorus_router import models
from chorus_router.casework.assignment import Choice
from chorus_router.casework.case import POST_IDS_KEPT, Case
from chorus_router.casework.lifecycle import InvalidTransition
from chorus_router.casework.store import CASE_COLUMNS, case_dict, case_from_row, case_row

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _case(**changes: object) -> Case:
    row = {
        "id": "c1",
        "thread_id": "x:1",
        "platform": "x",
        "channel": "@brand",
        "status": "assigned",
        "team": "support",
        "collaborators": [],
        "assignee": "sam",
        "previous_assignee": None,
        "escalated_to": None,
        "priority": "P2",
        "tags": [],
        "approvals": [],
        "skills": ["billing"],
        "language": "fr",
        "weight": 1.5,
        "never_alone": False,
        "crisis": None,
        "sla_minutes": 60,
        "sla_due_at": AT + timedelta(hours=1),
        "sla_breached_at": None,
        "first_response_at": None,
        "opened_at": AT,
        "updated_at": AT,
        "assigned_at": AT,
        "resolved_at": None,
        "post_received_at": AT,
        "latest_post_id": "x:1",
        "post_ids": ["x:1"],
        "post_count": 1,
        "decision": {"matched": []},
        "reason": "",
        "version": 1,
        **changes,
    }
    return case_from_row(row)


@pytest.mark.unit
def test_case_fields_are_the_case_table_columns_in_order() -> None:
    assert tuple(f.name for f in fields(Case)) == CASE_COLUMNS
    assert tuple(c.name for c in models.cases.columns) == CASE_COLUMNS


@pytest.mark.unit
def test_a_row_read_back_naive_is_in_utc_and_maps_back_to_the_same_row() -> None:
    case = _case(opened_at=AT.replace(tzinfo=None), extra_column="ignored")
    assert case.opened_at == AT and case.opened_at.tzinfo is UTC
    assert case_row(case) == tuple(case_dict(case)[c] for c in CASE_COLUMNS)
    assert case_from_row(case_dict(case)) is not case
    assert case_dict(case_from_row(case_dict(case))) == case_dict(case)


@pytest.mark.unit
def test_placing_without_a_member_queues_the_case_and_a_member_takes_it_from_the_queue() -> None:
    case = _case()
    case.place(Choice(None, "nobody free"), AT, "rebalanced")
    assert (case.status, case.assignee) == ("queued", None)
    assert case.decision["assignment"]["note"] == "rebalanced"
    case.place(Choice("ann", "least loaded"), AT + timedelta(minutes=5))
    assert (case.status, case.assignee, case.assigned_at) == (
        "assigned",
        "ann",
        AT + timedelta(minutes=5),
    )
    assert "note" not in case.decision["assignment"]
    assert case.decision["matched"] == []


@pytest.mark.unit
def test_resolving_and_reopening_follow_the_lifecycle() -> None:
    case = _case()
    case.resolve(AT)
    assert (case.status, case.resolved_at, case.carried) == ("resolved", AT, False)
    with pytest.raises(InvalidTransition):
        case.resolve(AT)
    case.reopen()
    assert (case.status, case.resolved_at, case.carried) == ("reopened", None, True)


@pytest.mark.unit
def test_a_late_approval_on_a_resolved_case_changes_nothing_and_a_sent_reply_answers() -> None:
    case = _case(status="resolved")
    assert not case.apply_reply("reply.approved", AT)
    assert case.status == "resolved"
    live = _case()
    assert live.apply_reply("reply.sent", AT)
    assert (live.status, live.first_response_at) == ("replied", AT)
    assert not live.apply_reply("reply.unknown", AT)


@pytest.mark.unit
def test_a_transfer_keeps_the_old_team_as_collaborator_and_the_post_ids_stay_bounded() -> None:
    case = _case(collaborators=["legal"])
    case.transfer("legal")
    assert (case.team, case.collaborators, case.previous_assignee) == ("legal", ["support"], "sam")
    for i in range(2, POST_IDS_KEPT + 10):
        case.add_post(f"x:{i}", AT)
    assert len(case.post_ids) == POST_IDS_KEPT and case.post_ids[-1] == f"x:{POST_IDS_KEPT + 9}"
    assert case.post_count == POST_IDS_KEPT + 9


@pytest.mark.unit
def test_a_native_reply_is_the_first_response_once_and_moves_the_case_as_a_sent_reply() -> None:
    case = _case(status="waiting_approval")
    later = AT + timedelta(minutes=7)
    assert case.answer_natively(AT) is True
    assert (case.status, case.first_response_at) == ("replied", AT)
    assert case.answer_natively(later) is False, "a second native reply is not the first"
    assert case.first_response_at == AT
    sent = _case(status="waiting_approval")
    assert sent.apply_reply("reply.sent", AT)
    assert (sent.status, sent.first_response_at) == (case.status, case.first_response_at)


@pytest.mark.unit
def test_a_native_reply_on_a_resolved_case_changes_nothing() -> None:
    case = _case(status="resolved", resolved_at=AT)
    assert case.answer_natively(AT + timedelta(hours=1)) is False
    assert (case.status, case.first_response_at) == ("resolved", None)


@pytest.mark.unit
def test_a_native_reply_older_than_the_customers_newest_post_leaves_that_post_waiting() -> None:
    later = AT + timedelta(minutes=30)
    case = _case(status="queued", assignee=None, post_received_at=later)
    assert case.answer_natively(later + timedelta(minutes=1), newer_post_waits=True) is True
    assert case.status == "queued", "still waiting for an answer, with nobody assigned"
    assert case.first_response_at is None
    assert case.sla_due_at == later + timedelta(minutes=case.sla_minutes)
