"""Reading a case's responsibility record: RACI, hand-offs, time in hands, SLA clock, idle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router.accountability import idle
from chorus_router.accountability.caselog import load_entries, load_watch
from chorus_router.accountability.history import (
    by_member,
    by_team,
    chain,
    raci,
    sla_clock,
    time_in_hands,
)
from chorus_router.accountability.policy import AccountabilityPolicy
from chorus_router.casework.brand import brand_replies
from chorus_router.casework.case import Case
from chorus_router.core import RouterCore


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _idle_view(
    watch: dict[str, Any] | None, case: Case, policy: AccountabilityPolicy
) -> dict[str, Any] | None:
    """When the owner who has the ball is warned, and when the case goes to a colleague."""
    if watch is None or watch["owner"] != case.assignee or case.status not in idle.OWNER_TURN:
        return None
    d = idle.deadlines(watch["since"], case.priority, policy)
    return {
        "owner": watch["owner"],
        "since": _iso(watch["since"]),
        "notice_at": _iso(d[0]) if d else None,
        "reassign_at": _iso(d[1]) if d else None,
        "noticed_at": _iso(watch["noticed_at"]),
    }


async def case_accountability(
    core: RouterCore, session: AsyncSession, case: Case
) -> dict[str, Any]:
    policy = core.settings.router_accountability
    now = core.clock()
    snap = await core.cache.get(session)
    entries = (await load_entries(session, [case.id])).get(case.id, [])
    watch = (await load_watch(session, [case.id])).get(case.id)
    tih = time_in_hands(entries, now)
    handoffs = chain(entries)
    idle_view = _idle_view(watch, case, policy)
    return {
        "case_id": case.id,
        "as_of": now.isoformat(),
        "status": case.status,
        "raci": raci(
            team=case.team,
            collaborators=case.collaborators,
            approvals=case.approvals,
            assignee=case.assignee,
            escalated_to=case.escalated_to,
            directory=snap.directory,
            holders=[(e.team, e.member) for e in entries],
        ),
        "handoffs": [h.as_dict() for h in handoffs],
        "handoff_count": max(0, len(handoffs) - 1),
        "team_handoffs": sum(1 for h in handoffs if h.from_team and h.from_team != h.to_team),
        "time_in_hands": {
            "by_team": by_team(tih),
            "by_member": by_member(tih),
            "rows": [
                {"team": t, "member": m, "state": s, "seconds": round(v, 3)}
                for (t, m, s), v in sorted(
                    tih.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])
                )
            ],
        },
        "sla": {
            "first_response": {
                "sla_minutes": case.sla_minutes,
                "due_at": _iso(case.sla_due_at),
                "responded_at": _iso(case.first_response_at),
                "breached_at": _iso(case.sla_breached_at),
            },
            "clock": sla_clock(entries, now, policy.sla_paused_states).as_dict(
                policy.sla_paused_states
            ),
        },
        "idle": idle_view,
        "brand_replies": await brand_replies(session, case.id),
    }
