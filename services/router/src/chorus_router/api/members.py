"""Members: skills, languages, platforms, capacity, hours, availability; every change audited."""

from __future__ import annotations

from typing import Annotated, Any

from chorus_common.auth import Principal
from chorus_common.openapi import (
    IF_MATCH_OPTIONAL,
    created_links,
    problem,
    request_headers,
    with_etag,
)
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select

from chorus_router import models
from chorus_router.api.deps import (
    ApiProblem,
    CoreDep,
    DirectoryReader,
    DirectoryWriter,
    SessionDep,
    check_if_match,
    etag,
    forbidden,
)
from chorus_router.api.directory_audit import audit_directory, directory_row, write_version
from chorus_router.api.directory_schemas import AvailabilityIn, MemberCreate, MemberUpdate
from chorus_router.api.member_identity import IDENTITY_CONFLICTS, check_identity
from chorus_router.api.member_rows import dump_body, known_teams, member_loads, member_view
from chorus_router.api.reads import MemberList, MemberRead
from chorus_router.snapshot import utc, utc_row

router = APIRouter(prefix="/v1", tags=["directory"])
MAX_PAGE = 500
_MEMBER_WRITE = (
    with_etag()
    | problem(403, "forbidden", "insufficient_scope")
    | problem(404, "member_not_found")
    | problem(409, *IDENTITY_CONFLICTS)
    | problem(412, "precondition_failed")
    | problem(422, "validation_error", "unknown_team")
)


def _may_manage(p: Principal, teams: list[str]) -> bool:
    return p.is_admin or (p.role == "lead" and bool(set(teams) & set(p.teams)))


@router.get("/members", response_model=MemberList)
async def list_members(
    principal: DirectoryReader,
    session: SessionDep,
    core: CoreDep,
    team: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="members per page")] = MAX_PAGE,
    after: Annotated[str | None, Query(max_length=64, description="the last id seen")] = None,
) -> dict[str, Any]:
    """Members in id order, ``limit`` at a time; ``next_after`` continues (None: no more)."""
    from chorus_common.contracts.events import utcnow

    t = models.members
    stmt = select(t).order_by(t.c.id)
    if after is not None:
        stmt = stmt.where(t.c.id > after)
    items: list[dict[str, Any]] = []
    more = False
    # The team is inside a JSON list: filtered here, a page of rows at a time.
    while not more:
        rows = [dict(r) for r in (await session.execute(stmt.limit(limit))).mappings()]
        for r in rows:
            if team is not None and team not in r["teams"]:
                continue
            if len(items) == limit:
                more = True
                break
            items.append(r)
        if len(rows) < limit:
            break
        stmt = stmt.where(t.c.id > rows[-1]["id"])
    loads = await member_loads(session, [r["id"] for r in items])
    now = utcnow()
    return {
        "items": [member_view(utc_row(r), loads.get(r["id"]), now) for r in items],
        "next_after": items[-1]["id"] if more else None,
    }


@router.get(
    "/members/{member_id}",
    response_model=MemberRead,
    responses=with_etag() | problem(404, "member_not_found"),
)
async def get_member(
    member_id: str, principal: DirectoryReader, session: SessionDep
) -> JSONResponse:
    from chorus_common.contracts.events import utcnow

    row = await directory_row(session, models.members, "member", member_id)
    loads = await member_loads(session, [member_id])
    return JSONResponse(
        member_view(utc_row(row), loads.get(member_id), utcnow()),
        headers={"ETag": etag(row["version"])},
    )


@router.post(
    "/members",
    status_code=201,
    response_model=MemberRead,
    responses=created_links(
        "member",
        "member_id",
        (
            ("get", "/v1/members/{member_id}", "get"),
            ("patch", "/v1/members/{member_id}", "patch"),
            ("availability", "/v1/members/{member_id}/availability", "put"),
            ("deactivate", "/v1/members/{member_id}", "delete"),
        ),
        etag=True,
    )
    | problem(403, "forbidden", "insufficient_scope")
    | problem(409, "member_exists", *IDENTITY_CONFLICTS)
    | problem(422, "validation_error", "unknown_team"),
)
async def create_member(
    body: MemberCreate, principal: DirectoryWriter, core: CoreDep
) -> JSONResponse:
    """Admins; leads for their own team(s) only."""
    if not principal.is_admin and not (
        principal.role == "lead" and set(body.teams) <= set(principal.teams)
    ):
        raise forbidden("leads add members to their own team only")
    async with core.unit() as uow:
        await known_teams(uow, body.teams)
        t = models.members
        if (await uow.session.execute(select(t.c.id).where(t.c.id == body.id))).first():
            raise ApiProblem(409, "member_exists", f"member {body.id!r} exists", field="id")
        data = {
            "email": None,
            "oidc_subject": None,
            "admin": False,
            "languages": ["en"],
            "skills": [],
            "platforms": [],
            "working_hours": [],
            **dump_body(body),
        }
        await check_identity(uow, principal, data, body.id, target_admin=False)
        row = {
            **data,
            "availability": "on_shift",
            "availability_until": None,
            "active": True,
            "created_at": uow.now,
            "updated_at": uow.now,
            "version": 1,
        }
        await uow.session.execute(insert(t), [row])
        await uow.session.execute(insert(models.loads), [{"member_id": body.id}])
        await audit_directory(uow, principal.sub, "create", "member", body.id, None, row)
        uow.release_teams.update(body.teams)
    return JSONResponse(member_view(row, None, uow.now), status_code=201, headers={"ETag": etag(1)})


async def _change(
    member_id: str,
    changes: dict[str, Any],
    request: Request,
    principal: Principal,
    core: CoreDep,
    *,
    action: str,
    allow_self: bool = False,
) -> JSONResponse:
    async with core.unit() as uow:
        row = await directory_row(uow.session, models.members, "member", member_id)
        is_self = allow_self and principal.member_id == member_id
        if not is_self and not _may_manage(principal, row["teams"]):
            raise forbidden(
                f"only admins or a lead of {', '.join(row['teams'])} manage {member_id}"
            )
        if "teams" in changes:
            await known_teams(uow, changes["teams"])
            if not principal.is_admin and not set(changes["teams"]) <= set(principal.teams):
                raise forbidden("leads move members only within their own teams")
        check_if_match(request, row["version"], required=False)
        await check_identity(uow, principal, changes, member_id, target_admin=bool(row["admin"]))
        before = utc_row(row)
        new = await write_version(uow, models.members, member_id, row["version"], changes)
        after = {**before, **new}
        await audit_directory(uow, principal.sub, action, "member", member_id, before, after)
        uow.release_teams.update(after["teams"])
        load = (await member_loads(uow.session, [member_id])).get(member_id)
    return JSONResponse(member_view(after, load, uow.now), headers={"ETag": etag(new["version"])})


@router.patch(
    "/members/{member_id}",
    response_model=MemberRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=_MEMBER_WRITE,
)
async def update_member(
    member_id: str, body: MemberUpdate, request: Request, principal: DirectoryWriter, core: CoreDep
) -> JSONResponse:
    return await _change(member_id, dump_body(body), request, principal, core, action="update")


@router.put(
    "/members/{member_id}/availability",
    response_model=MemberRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=_MEMBER_WRITE,
)
async def set_availability(
    member_id: str,
    body: AvailabilityIn,
    request: Request,
    principal: DirectoryReader,
    core: CoreDep,
) -> JSONResponse:
    """Members set their own; leads their team's; admins anyone's."""
    until = utc(body.until) if body.availability != "on_shift" else None
    changes = {"availability": body.availability, "availability_until": until}
    return await _change(
        member_id, changes, request, principal, core, action="availability", allow_self=True
    )


@router.delete(
    "/members/{member_id}",
    response_model=MemberRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=_MEMBER_WRITE,
)
async def deactivate_member(
    member_id: str, request: Request, principal: DirectoryWriter, core: CoreDep
) -> JSONResponse:
    """Deactivate (kept for history); they get no new cases."""
    return await _change(
        member_id, {"active": False}, request, principal, core, action="deactivate"
    )
