"""Members as the API shows them, and what a member write's body becomes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chorus_router import models
from chorus_router.api.deps import ApiProblem, jsonable
from chorus_router.api.directory_schemas import MemberCreate, MemberUpdate
from chorus_router.core import Uow
from chorus_router.domain.directory import member_from_row


def member_view(row: dict[str, Any], load: dict[str, Any] | None, now: Any) -> dict[str, Any]:
    m = member_from_row(row)
    out = jsonable(row)
    out["admin"] = bool(row.get("admin"))
    out["load"] = {
        "open_cases": (load or {}).get("open_cases", 0),
        "weighted": (load or {}).get("weighted", 0.0),
        "assigned_total": (load or {}).get("assigned_total", 0),
    }
    out["effective_availability"] = m.effective_availability(now)
    out["available_now"] = m.unavailable_reason(now) is None
    out["unavailable_reason"] = m.unavailable_reason(now)
    return out


async def member_loads(session: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    t = models.loads
    rows = await session.execute(select(t).where(t.c.member_id.in_(ids)))
    return {r["member_id"]: dict(r) for r in rows.mappings()}


async def known_teams(uow: Uow, teams: list[str]) -> None:
    t = models.teams
    have = set((await uow.session.execute(select(t.c.id).where(t.c.id.in_(teams)))).scalars())
    missing = [x for x in teams if x not in have]
    if missing:
        raise ApiProblem(422, "unknown_team", f"unknown team {missing[0]!r}", field="teams")


def dump_body(body: MemberCreate | MemberUpdate) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=True)
    if "working_hours" in data:
        data["working_hours"] = [s.model_dump() for s in body.working_hours or []]
    return data
