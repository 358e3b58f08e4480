"""The audit trail of directory and rule changes, and members' notifications."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.bounds import INT32_MAX
from chorus_common.contracts.events import utcnow
from chorus_common.openapi import problem
from chorus_common.problems import ApiProblem
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.api.deps import CasesReader, DirectoryWriter, SessionDep, jsonable
from chorus_router.api.reads import AuditList, NotificationList, NotificationsMarked
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
    unread: Annotated[bool, Query(description="only those not read yet")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Your notifications (SLA breaches escalated to you as lead, crises, idle cases, native
    replies…), newest first, with how many of yours are unread."""
    t = models.notifications
    who = member_id if principal.is_admin else principal.member_id
    q = select(t).order_by(t.c.id.desc()).limit(limit)
    if unread:
        q = q.where(t.c.read_at.is_(None))
    if who is not None:
        q = q.where(t.c.member_id == who)
    elif not principal.is_admin:
        return {"items": [], "unread": 0}
    items = [jsonable(utc_row(r)) for r in (await session.execute(q)).mappings()]
    return {"items": items, "unread": await _unread(session, who)}


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    up_to: int = Field(ge=1, le=INT32_MAX, description="the newest notification id read")


@router.post(
    "/notifications/read",
    response_model=NotificationsMarked,
    responses=problem(403, "member_required"),
)
async def mark_notifications_read(
    body: MarkRead, principal: CasesReader, session: SessionDep
) -> dict[str, Any]:
    """Mark your unread notifications up to ``up_to`` (inclusive) as read; others' are never
    touched. 403 ``member_required`` for a token that names no directory member."""
    who = principal.member_id
    if who is None:
        raise ApiProblem(403, "member_required", "only a directory member has notifications")
    t = models.notifications
    mine = and_(t.c.member_id == who, t.c.read_at.is_(None), t.c.id <= body.up_to)
    done = await session.execute(update(t).where(mine).values(read_at=utcnow()))
    left = await _unread(session, who)  # in the same transaction as the marking
    await session.commit()
    return {"marked": done.rowcount, "unread": left}  # type: ignore[attr-defined]


async def _unread(session: AsyncSession, who: str | None) -> int:
    t = models.notifications
    q = select(func.count()).select_from(t).where(t.c.read_at.is_(None))
    if who is not None:
        q = q.where(t.c.member_id == who)
    return int((await session.execute(q)).scalar_one())
