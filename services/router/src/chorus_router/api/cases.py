"""Cases for the frontend: filtered, sorted, cursor-paginated lists; one case with its ETag."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from chorus_common.auth import Principal
from chorus_common.contracts.events import Priority
from chorus_common.openapi import problem, with_etag
from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, StringConstraints, TypeAdapter
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from chorus_router import models
from chorus_router.api.deps import ApiProblem, CasesReader, SessionDep, etag, jsonable, not_found
from chorus_router.api.reads import CaseList, CaseRead
from chorus_router.casework.case import Case
from chorus_router.casework.store import case_dict, case_from_row

router = APIRouter(prefix="/v1", tags=["cases"])

SORTS = ("opened_at", "updated_at", "priority", "sla_due_at")
SortParam = Literal[
    "opened_at", "-opened_at", "updated_at", "-updated_at", "priority", "-priority",
    "sla_due_at", "-sla_due_at",
]  # fmt: skip


def visible(principal: Principal) -> ColumnElement[bool] | None:
    """Agents and leads: cases that involve one of their teams; admins and services: all."""
    if principal.role in ("admin", "service"):
        return None
    ct = models.case_teams
    return exists().where(ct.c.case_id == models.cases.c.id, ct.c.team.in_(sorted(principal.teams)))


def can_see(principal: Principal, case: Case) -> bool:
    return principal.can_see_any([case.team, *case.collaborators])


def case_view(case: Case) -> dict[str, Any]:
    out = jsonable(case_dict(case))
    out["approvals_required"] = out.pop("approvals")
    return out


def _encode_cursor(sort: str, value: Any, case_id: str) -> str:
    v = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(orjson.dumps([sort, v, case_id])).decode().rstrip("=")


# What a cursor we issued decodes to: [sort, last value, last case id].
_CURSOR = TypeAdapter(tuple[str, str, Annotated[str, StringConstraints(max_length=64)]])
_WHEN = TypeAdapter(AwareDatetime)
_PRIORITY = TypeAdapter(Priority)


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    """The keyset a ``next_cursor`` stands for; 422 ``invalid_cursor`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        s, value, case_id = _CURSOR.validate_python(orjson.loads(raw))
        if "\x00" in value or "\x00" in case_id:
            raise ValueError("NUL in cursor")
        typed: Any = (
            _PRIORITY.validate_python(value)
            if sort.lstrip("-") == "priority"
            else _WHEN.validate_python(value)
        )
    except (ValueError, TypeError) as exc:  # ValidationError is a ValueError
        raise ApiProblem(
            422, "invalid_cursor", "cursor is not one we issued", field="query.cursor"
        ) from exc
    if s != sort:
        raise ApiProblem(
            422, "invalid_cursor", "cursor was issued for another sort order", field="query.cursor"
        )
    return typed, case_id


def _csv(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


@router.get(
    "/cases", response_model=CaseList, responses=problem(422, "validation_error", "invalid_cursor")
)
async def list_cases(
    principal: CasesReader,
    session: SessionDep,
    status: Annotated[str | None, Query(description="comma-separated statuses")] = None,
    team: Annotated[str | None, Query(description="owner team(s), comma-separated")] = None,
    assignee: Annotated[str | None, Query(description="member id; 'none' for unassigned")] = None,
    priority: Annotated[str | None, Query(description="P1..P4, comma-separated")] = None,
    platform: Annotated[str | None, Query()] = None,
    sort: SortParam = "-opened_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    t = models.cases
    q = select(t)
    vis = visible(principal)
    if vis is not None:
        q = q.where(vis)
    if status:
        q = q.where(t.c.status.in_(_csv(status)))
    if team:
        q = q.where(t.c.team.in_(_csv(team)))
    if assignee == "none":
        q = q.where(t.c.assignee.is_(None))
    elif assignee:
        q = q.where(t.c.assignee == assignee)
    if priority:
        q = q.where(t.c.priority.in_(_csv(priority)))
    if platform:
        q = q.where(t.c.platform.in_(_csv(platform)))
    desc = sort.startswith("-")
    col = t.c[sort.lstrip("-")]
    if cursor:
        value, cid = _decode_cursor(cursor, sort)
        if desc:
            q = q.where(or_(col < value, and_(col == value, t.c.id < cid)))
        else:
            q = q.where(or_(col > value, and_(col == value, t.c.id > cid)))
    order = (col.desc(), t.c.id.desc()) if desc else (col.asc(), t.c.id.asc())
    rows = [
        case_from_row(r)
        for r in (await session.execute(q.order_by(*order).limit(limit + 1))).mappings()
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = _encode_cursor(sort, getattr(rows[-1], col.name), rows[-1].id) if more and rows else None
    return {"items": [case_view(r) for r in rows], "next_cursor": nxt}


async def load_visible(session: Any, principal: Principal, case_id: str) -> Case:
    t = models.cases
    row = (await session.execute(select(t).where(t.c.id == case_id))).mappings().first()
    case = case_from_row(row) if row is not None else None
    if case is None or not can_see(principal, case):
        raise not_found("case", case_id)
    return case


@router.get(
    "/cases/{case_id}",
    response_model=CaseRead,
    responses=with_etag()
    | {304: {"description": "`If-None-Match` names the current ETag"}}
    | problem(404, "case_not_found"),
)
async def get_case(
    case_id: str, request: Request, response: Response, principal: CasesReader, session: SessionDep
) -> Any:
    case = await load_visible(session, principal, case_id)
    tag = etag(case.version)
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return case_view(case)
