"""case.*: the case fact (times for responsiveness and SLA), the post→case map, workload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus_common.contracts.events import CaseEvent
from chorus_common.contracts.timebuckets import as_utc
from chorus_common.messaging.envelope import Envelope

from chorus_analytics.domain import hands
from chorus_analytics.domain.facts import add_event
from chorus_analytics.handle_brand import native_reply
from chorus_analytics.unit import Unit


def earliest(*values: datetime | None) -> datetime | None:
    """The earliest of the values given (as UTC), None if none is."""
    best = None
    for v in values:
        if v is not None:
            v = as_utc(v)
            if best is None or v < best:
                best = v
    return best


def _state(case: CaseEvent) -> dict[str, Any]:
    """Fields that follow the newest version of the case."""
    return {
        "thread_id": case.thread_id,
        "status": case.status,
        "team": case.team or "",
        "assignee": case.assignee,
        "priority": case.priority,
        "platform": case.platform or "",
        "channel": case.channel or "",
        "sla_due_at": as_utc(case.sla_due_at) if case.sla_due_at else None,
        "version": case.version,
    }


async def upsert_member(unit: Unit, member: str | None, team: str, at: datetime) -> None:
    """Remember a member and their latest team (so idle members count as zero load)."""
    if not member:
        return
    at = as_utc(at)
    row = await unit.members.get(member)
    if row is None:
        row = {"member_id": member, "team": team, "last_seen_at": at}
        unit.members.put(row)
    if team and row["last_seen_at"] <= at and (row["team"], row["last_seen_at"]) != (team, at):
        unit.members.put({**row, "team": team, "last_seen_at": at})


async def on_case_events(events: list[Envelope], *, uow: Unit) -> None:
    """Merge each event into its case fact (newest version wins; times keep the earliest) and
    re-team the case's posts; idempotent per event id through the dispatcher."""
    for event in events:
        await _case_event(event, event.parsed(), uow)


async def _case_event(event: Envelope, case: CaseEvent, unit: Unit) -> None:
    at = event.occurred_at
    cur = await unit.cases.get(case.case_id)
    assigned_at = at if case.assignee else None
    breached_at = at if event.type == "case.sla_breached" else None
    old: dict[str, Any] = cur or {}
    times = {
        "post_received_at": earliest(case.post_received_at, old.get("post_received_at")),
        "opened_at": earliest(case.opened_at, at, old.get("opened_at")),
        "first_assigned_at": earliest(assigned_at, old.get("first_assigned_at")),
        "sla_breached_at": earliest(breached_at, old.get("sla_breached_at")),
    }
    reopened = 1 if event.type == "case.reopened" else 0
    if cur is None:
        resolved = case.status == "resolved"
        row = {
            "case_id": case.case_id,
            **_state(case),
            **times,
            "resolved_at": at if resolved else None,
            "resolved_by": case.assignee if resolved else None,
            "reopen_count": reopened,
            "updated_at": at,
        }
        team = row["team"]
    else:
        row = {**cur, **times, "reopen_count": cur["reopen_count"] + reopened}
        if case.version >= cur["version"]:
            row.update(_state(case), updated_at=at)
            if case.status == "resolved":
                row["resolved_at"] = cur["resolved_at"] or at
                row["resolved_by"] = case.assignee or cur["resolved_by"]
            else:
                row["resolved_at"] = None
                row["resolved_by"] = None
        team = row["team"]
    _keep_hands(unit, case, row)
    unit.cases.put(row)
    await native_reply(unit, event, case, team)
    old_team = cur["team"] if cur is not None else None
    await _map_posts(unit, case, team, team_changed=old_team != team)
    await upsert_member(unit, case.assignee, team, at)
    await upsert_member(unit, case.previous_assignee, "", at)
    dims = (event.type, team, case.platform or "", case.priority, "")
    add_event(unit.deltas.events, at, dims)


def _keep_hands(unit: Unit, case: CaseEvent, row: dict[str, Any]) -> None:
    """Keep the case's time in hands from its newest version that carries it (figures are
    cumulative, so an older or replayed version changes nothing)."""
    if case.time_in_hands is None:
        return
    at = case.time_in_hands_at
    if not hands.is_newer(case.version, at, row.get("hands_version"), row.get("hands_at")):
        return
    handoffs, team_handoffs = hands.handoff_counts(case.handoffs)
    row.update(
        hands_version=case.version,
        hands_at=as_utc(at) if at is not None else None,
        handoffs=handoffs if handoffs is not None else row.get("handoffs"),
        team_handoffs=team_handoffs if team_handoffs is not None else row.get("team_handoffs"),
    )
    unit.hands[case.case_id] = hands.hand_rows(case.case_id, case.time_in_hands)


async def _map_posts(unit: Unit, case: CaseEvent, team: str, *, team_changed: bool) -> None:
    ids = sorted({*case.post_ids, *([case.latest_post_id] if case.latest_post_id else [])})
    await unit.map_posts(ids, case.case_id)
    if team_changed:
        targets = sorted(await unit.posts_of_case(case.case_id))
    elif ids:
        targets = ids
    else:
        return
    await unit.posts.load(targets)
    for post_id in targets:
        row = unit.posts.rows[post_id]
        if row is None or row["team"] == team:
            continue
        unit.reteam(post_id, row, team)
