"""The audit trail of directory and rule changes, and members' notifications."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.bounds import INT32_MAX
from fastapi import APIRouter, Query
from sqlalchemy import select

from chorus_router import models
from chorus_router.api.deps import CasesReader, DirectoryWriter, SessionDep, jsonable
from chorus_router.api.reads import AuditList, NotificationList
from chorus_router.snapshot import utc_row

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", response_model=AuditList)
async def list_audit(
    principal: DirectoryWriter,
    session: SessionDep,
    entity: Annotated[str | None, Query(description="team, member or rules")] = None,
    entity_id: Annotated[str | None, Query()] = None,
    before: Annotated[
        int | None,
        Query(ge=1, le=INT32_MAX, description="cursor: entries older than this id"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Newest first. Leads and admins."""
    t = models.audit
    q = select(t).order_by(t.c.id.desc()).limit(limit)
    if entity:
        q = q.where(t.c.entity == entity)
    if entity_id:
        q = q.where(t.c.entity_id == entity_id)
    if before is not None:
        q = q.where(t.c.id < before)
    rows = [jsonable(utc_row(r)) for r in (await session.execute(q)).mappings()]
    return {"items": rows, "next_before": rows[-1]["id"] if len(rows) == limit else None}


@router.get("/notifications", response_model=NotificationList)
async def list_notifications(
    principal: CasesReader,
    session: SessionDep,
    member_id: Annotated[str | None, Query(description="admins: whose")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Your notifications (SLA breaches escalated to you as lead, crisis mode), newest first."""
    t = models.notifications
    who = member_id if principal.is_admin else principal.member_id
    q = select(t).order_by(t.c.id.desc()).limit(limit)
    if who is not None:
        q = q.where(t.c.member_id == who)
    elif not principal.is_admin:
        return {"items": []}
    return {"items": [jsonable(utc_row(r)) for r in (await session.execute(q)).mappings()]}
