"""Teams: list, create (admins), edit (admins; leads their own team's name/description)."""

from __future__ import annotations

from typing import Any

from chorus_common.openapi import (
    IF_MATCH_OPTIONAL,
    created_links,
    problem,
    request_headers,
    with_etag,
)
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, insert, select

from chorus_router import models
from chorus_router.api.cases import case_view
from chorus_router.api.deps import (
    ApiProblem,
    CoreDep,
    DirectoryReader,
    DirectoryWriter,
    SessionDep,
    check_if_match,
    etag,
    forbidden,
    jsonable,
)
from chorus_router.api.directory_audit import audit_directory, directory_row, write_version
from chorus_router.api.directory_schemas import TeamCreate, TeamUpdate
from chorus_router.api.reads import CaseItems, TeamList, TeamRead
from chorus_router.casework.store import case_from_row
from chorus_router.snapshot import utc_row

router = APIRouter(prefix="/v1", tags=["directory"])
_NO_TEAM = problem(404, "team_not_found")


def team_view(row: dict[str, Any], members: list[str]) -> dict[str, Any]:
    return {**jsonable(row), "members": members}


async def _members_by_team(session: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in (
        await session.execute(
            select(models.members.c.id, models.members.c.teams, models.members.c.active)
        )
    ).all():
        if r.active:
            for t in r.teams:
                out.setdefault(t, []).append(r.id)
    return out


@router.get("/teams", response_model=TeamList)
async def list_teams(principal: DirectoryReader, session: SessionDep) -> dict[str, Any]:
    by_team = await _members_by_team(session)
    rows = (await session.execute(select(models.teams).order_by(models.teams.c.id))).mappings()
    return {"items": [team_view(utc_row(r), by_team.get(r["id"], [])) for r in rows]}


@router.get("/teams/{team_id}", response_model=TeamRead, responses=with_etag() | _NO_TEAM)
async def get_team(
    team_id: str, principal: DirectoryReader, session: SessionDep, response: Response
) -> dict[str, Any]:
    row = await directory_row(session, models.teams, "team", team_id)
    c = models.cases
    queued = (
        await session.execute(
            select(func.count()).where(c.c.team == team_id, c.c.status == "queued")
        )
    ).scalar_one()
    response.headers["ETag"] = etag(row["version"])
    by_team = await _members_by_team(session)
    return {**team_view(utc_row(row), by_team.get(team_id, [])), "queued": queued}


@router.get(
    "/teams/{team_id}/queue",
    response_model=CaseItems,
    responses=problem(403, "forbidden", "insufficient_scope"),
)
async def team_queue(
    team_id: str, principal: DirectoryReader, session: SessionDep
) -> dict[str, Any]:
    """Cases waiting for someone in the team, in the order they will be released."""
    if not principal.can_see_team(team_id):
        raise forbidden(f"not a member of {team_id}")
    c = models.cases
    rows = (
        await session.execute(
            select(c)
            .where(c.c.team == team_id, c.c.status == "queued")
            .order_by(c.c.priority, c.c.opened_at)
            .limit(500)
        )
    ).mappings()
    return {"items": [case_view(case_from_row(r)) for r in rows]}


@router.post(
    "/teams",
    status_code=201,
    response_model=TeamRead,
    responses=created_links(
        "team",
        "team_id",
        (
            ("get", "/v1/teams/{team_id}", "get"),
            ("patch", "/v1/teams/{team_id}", "patch"),
            ("queue", "/v1/teams/{team_id}/queue", "get"),
            ("fairness", "/v1/teams/{team_id}/fairness", "get"),
        ),
    )
    | problem(403, "forbidden", "insufficient_scope")
    | problem(409, "team_exists"),
)
async def create_team(
    body: TeamCreate, principal: DirectoryWriter, core: CoreDep
) -> dict[str, Any]:
    if not principal.is_admin:
        raise forbidden("only admins create teams")
    async with core.unit() as uow:
        t = models.teams
        if (await uow.session.execute(select(t.c.id).where(t.c.id == body.id))).first():
            raise ApiProblem(409, "team_exists", f"team {body.id!r} exists", field="id")
        row = {**body.model_dump(), "created_at": uow.now, "updated_at": uow.now, "version": 1}
        await uow.session.execute(insert(t), [row])
        await audit_directory(
            uow, principal.sub, "create", "team", body.id, None, body.model_dump()
        )
    return team_view(row, [])


@router.patch(
    "/teams/{team_id}",
    response_model=TeamRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag()
    | _NO_TEAM
    | problem(403, "forbidden", "insufficient_scope")
    | problem(412, "precondition_failed"),
)
async def update_team(
    team_id: str, body: TeamUpdate, request: Request, principal: DirectoryWriter, core: CoreDep
) -> Response:
    """Admins edit anything; a team's lead may rename it or change its description."""
    changes = body.model_dump(exclude_unset=True)
    if not principal.is_admin:
        if not (principal.role == "lead" and team_id in principal.teams):
            raise forbidden(f"only admins or the lead of {team_id} edit it")
        if "lead" in changes or "intent" in changes:
            raise forbidden("only admins change a team's lead or intent")
    async with core.unit() as uow:
        row = await directory_row(uow.session, models.teams, "team", team_id)
        check_if_match(request, row["version"], required=False)
        before = jsonable(utc_row(row))
        new = await write_version(uow, models.teams, team_id, row["version"], changes)
        after = {**before, **jsonable(new)}
        await audit_directory(uow, principal.sub, "update", "team", team_id, before, after)
        members = (await _members_by_team(uow.session)).get(team_id, [])
    return JSONResponse(team_view(after, members), headers={"ETag": etag(new["version"])})
