"""case.*: the case fact (times for responsiveness and SLA), the post→case map, workload."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from chorus_common.db import insert_ignore
from chorus_common.events import CaseEvent, Envelope
from chorus_common.runtime import Runtime
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models, store
from chorus_analytics.domain.facts import add_event
from chorus_analytics.domain.timebuckets import as_utc
from chorus_analytics.handle_posts import apply_change, fact_from_row


def earliest(*values: datetime | None) -> datetime | None:
    present = [as_utc(v) for v in values if v is not None]
    return min(present) if present else None


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


async def upsert_member(
    session: AsyncSession, dialect: str, member: str | None, team: str, at: datetime
) -> None:
    """Remember a member and their latest team (so idle members count as zero load)."""
    if not member:
        return
    t = models.members
    row = {"member_id": member, "team": team, "last_seen_at": as_utc(at)}
    await session.execute(insert_ignore(dialect, t, row, ["member_id"]))
    if team:
        await session.execute(
            update(t)
            .where(t.c.member_id == member, t.c.last_seen_at <= as_utc(at))
            .values(team=team, last_seen_at=as_utc(at))
        )


async def on_case_event(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    """Merge the event into the case fact (newest version wins; times keep the earliest) and
    re-team the case's posts; idempotent per event id through the dispatcher."""
    case: CaseEvent = event.parsed()
    at = event.occurred_at
    t = models.cases
    cur: Any = (await session.execute(select(t).where(t.c.case_id == case.case_id))).first()
    assigned_at = at if case.assignee else None
    breached_at = at if event.type == "case.sla_breached" else None
    times = {
        "post_received_at": earliest(case.post_received_at, cur and cur.post_received_at),
        "opened_at": earliest(case.opened_at, at, cur and cur.opened_at),
        "first_assigned_at": earliest(assigned_at, cur and cur.first_assigned_at),
        "sla_breached_at": earliest(breached_at, cur and cur.sla_breached_at),
    }
    reopened = 1 if event.type == "case.reopened" else 0
    old_team = cur.team if cur is not None else None
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
        await session.execute(insert(t).values(**row))
        team = row["team"]
    else:
        values: dict[str, Any] = {**times, "reopen_count": cur.reopen_count + reopened}
        team = cur.team
        if case.version >= cur.version:
            values.update(_state(case), updated_at=at)
            team = values["team"]
            if case.status == "resolved":
                values["resolved_at"] = cur.resolved_at or at
                values["resolved_by"] = case.assignee or cur.resolved_by
            else:
                values["resolved_at"] = None
                values["resolved_by"] = None
        await session.execute(update(t).where(t.c.case_id == case.case_id).values(**values))

    await _map_posts(session, runtime.dialect, case, team, team_changed=old_team != team)
    await upsert_member(session, runtime.dialect, case.assignee, team, at)
    await upsert_member(session, runtime.dialect, case.previous_assignee, "", at)
    dims = (event.type, team, case.platform or "", case.priority, "")
    add_event(store.pending(session).events, at, dims)


async def _map_posts(
    session: AsyncSession, dialect: str, case: CaseEvent, team: str, *, team_changed: bool
) -> None:
    ids = {*case.post_ids, *([case.latest_post_id] if case.latest_post_id else [])}
    pc, p = models.post_cases, models.posts
    if ids:
        rows = [{"post_id": i, "case_id": case.case_id} for i in sorted(ids)]
        await session.execute(insert_ignore(dialect, pc, rows, ["post_id"]))
    if team_changed:
        mapped = select(pc.c.post_id).where(pc.c.case_id == case.case_id)
        cond = p.c.post_id.in_(mapped)
    elif ids:
        cond = p.c.post_id.in_(sorted(ids))
    else:
        return
    stale = (await session.execute(select(p).where(cond, p.c.team != team))).all()
    for row in stale:
        old = fact_from_row(row)
        new = replace(old, team=team)
        await session.execute(update(p).where(p.c.post_id == old.post_id).values(team=team))
        await apply_change(session, old, new)
