"""Fill the router's tables directly with a large, known amount of data (bounds tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chorus_common.persistence import bulk
from chorus_router import models
from sqlalchemy.ext.asyncio import AsyncSession

TEAMS = ("support", "legal", "pr", "brand")
CHUNK = 5000


async def put(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = bulk.insert_rows(session.get_bind().dialect.name, table, tuple(rows[0]))
    for i in range(0, len(rows), CHUNK):
        await bulk.run_dicts(session, stmt, rows[i : i + CHUNK])


def case_row(i: int, now: datetime) -> dict[str, Any]:
    opened = now - timedelta(minutes=i)
    team = TEAMS[i % len(TEAMS)]
    return {
        "id": f"case-{i:06d}",
        "thread_id": f"th-{i}",
        "platform": "x",
        "channel": "@brand",
        "status": "queued" if i % 20 == 0 else "assigned",
        "team": team,
        "collaborators": [TEAMS[(i + 1) % len(TEAMS)]] if i % 5 == 0 else [],
        "assignee": None if i % 20 == 0 else f"m{i % 200}",
        "previous_assignee": None,
        "escalated_to": None,
        "priority": f"P{1 + i % 4}",
        "tags": ["seeded"],
        "approvals": [],
        "skills": [],
        "language": "en",
        "weight": 1.0,
        "never_alone": False,
        "crisis": None,
        "sla_minutes": 1440,
        "sla_due_at": now + timedelta(days=30, minutes=i),
        "sla_breached_at": None,
        "first_response_at": None,
        "opened_at": opened,
        "updated_at": opened,
        "assigned_at": None if i % 20 == 0 else opened,
        "resolved_at": None,
        "post_received_at": opened,
        "latest_post_id": f"x:{i}",
        "post_ids": [f"x:{i}"],
        "post_count": 1,
        "decision": {"matched": "seeded", "reason": "a long enough reason " * 4},
        "reason": "seeded",
        "version": 2,
    }


async def seed(session: AsyncSession, now: datetime, *, cases: int, log_entries: int) -> None:
    """``cases`` open cases over the teams (their teams rows too), and ``log_entries``
    entries in the log of ``case-000001`` (a case handed back and forth that long)."""
    rows = [case_row(i, now) for i in range(cases)]
    await put(session, models.cases, rows)
    teams = [
        {"case_id": r["id"], "team": t}
        for r in rows
        for t in dict.fromkeys([r["team"], *r["collaborators"]])
    ]
    await put(session, models.case_teams, teams)
    log = [
        {
            "case_id": "case-000001",
            "seq": n,
            "at": now - timedelta(seconds=log_entries - n),
            "event": "case.reassigned",
            "status": "assigned",
            "team": TEAMS[n % 2],
            "member": f"m{n % 7}",
            "handoff": True,
            "weight": 1.0,
            "fairness": None,
            "reason": "handed over",
        }
        for n in range(1, log_entries + 1)
    ]
    await put(session, models.case_log, log)


async def seed_directory(
    session: AsyncSession, now: datetime, *, members: int, versions: int, audit: int
) -> None:
    """``members`` members (one in a hundred in ``legal``), ``versions`` rule versions after
    the seeded ones, ``audit`` audit rows and as many notifications for ``m1``."""
    await put(
        session,
        models.members,
        [
            {
                "id": f"zz-member-{i:06d}",
                "name": f"Member {i}",
                "email": None,
                "teams": ["legal" if i % 100 == 0 else "support"],
                "languages": ["en"],
                "skills": [],
                "platforms": [],
                "capacity": 10,
                "timezone": "UTC",
                "working_hours": [],
                "availability": "on_shift",
                "availability_until": None,
                "active": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for i in range(members)
        ],
    )
    await put(
        session,
        models.rule_versions,
        [
            {
                "version": 1000 + v,
                "rules": [],
                "change": "seeded",
                "author": "admin",
                "created_at": now,
            }
            for v in range(versions)
        ],
    )
    await put(
        session,
        models.audit,
        [
            {
                "at": now,
                "actor": "admin",
                "action": "update",
                "entity": "member",
                "entity_id": f"m{i % 50}",
                "before": {"capacity": 5},
                "after": {"capacity": 6},
            }
            for i in range(audit)
        ],
    )
    await put(
        session,
        models.notifications,
        [
            {
                "member_id": "m1",
                "kind": "sla_breached",
                "case_id": f"case-{i:06d}",
                "message": "an SLA was breached",
                "data": {"i": i},
                "created_at": now,
            }
            for i in range(audit)
        ],
    )
