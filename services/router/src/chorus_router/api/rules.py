"""Routing rules: versioned CRUD (each change is a new version) and simulation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from chorus_common.auth import Principal
from chorus_common.bounds import INT32_MAX
from chorus_common.contracts.events import Post
from chorus_common.openapi import IF_MATCH_OPTIONAL, problem, request_headers, with_etag
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.api.deps import (
    ApiProblem,
    CoreDep,
    RulesReader,
    RulesWriter,
    SessionDep,
    check_if_match,
    etag,
    forbidden,
    jsonable,
    not_found,
)
from chorus_router.api.reads import (
    RuleRead,
    RuleSetRead,
    RuleVersionList,
    RuleVersionRead,
    SimulationRead,
)
from chorus_router.core import Uow
from chorus_router.routing.rules import Rule, check_rules
from chorus_router.routing.simulate import simulate
from chorus_router.seeding import audit_row
from chorus_router.snapshot import bump, load_rules, utc_row

router = APIRouter(prefix="/v1", tags=["rules"])
_RULES_WRITE = (
    problem(403, "forbidden", "insufficient_scope")
    | problem(412, "precondition_failed")
    | problem(422, "validation_error", "invalid_rule")
)
VersionPath = Annotated[int, Path(ge=1, le=INT32_MAX, description="a rule set version")]


class RuleSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[Rule]
    change: str = Field(default="rule set replaced", max_length=300)


class SimulateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    post: Post
    rules: list[Rule] | None = Field(
        default=None, description="try these instead of the current set"
    )
    at: datetime | None = Field(default=None, description="evaluate as of this time (default now)")


def _dump(rules: list[Rule]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in rules]


def _lead_may(p: Principal, *rules: Rule | None) -> bool:
    return p.is_admin or all(r is None or r.then.team in p.teams for r in rules)


async def _version_row(session: AsyncSession, version: int) -> RowMapping:
    t = models.rule_versions
    row = (await session.execute(select(t).where(t.c.version == version))).mappings().first()
    if row is None:
        raise not_found("rules_version", str(version))
    return row


async def _rule_to_change(
    uow: Uow, principal: Principal, rule_id: str, replacement: Rule | None
) -> tuple[list[Rule], int]:
    """The current rules and the index of ``rule_id``, which the caller may change."""
    _v, rules = await load_rules(uow.session)
    idx = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
    if idx is None:
        raise not_found("rule", rule_id)
    if not _lead_may(principal, rules[idx], replacement):
        raise forbidden("leads write rules for their own team only")
    return rules, idx


async def _save(
    uow: Uow, principal: Principal, rules: list[Rule], change: str, request: Request
) -> JSONResponse:
    """Validate against the directory and store as the next version."""
    t = models.teams
    teams = set((await uow.session.execute(select(t.c.id))).scalars())
    problems = check_rules(rules, teams)
    if problems:
        p = problems[0]
        raise ApiProblem(422, "invalid_rule", f"{p.field}: {p.reason}", field=p.field)
    version, _current = await load_rules(uow.session)
    check_if_match(request, version, required=False)
    new = version + 1
    await uow.session.execute(
        insert(models.rule_versions),
        [
            {
                "version": new,
                "rules": _dump(rules),
                "change": change[:300],
                "author": principal.sub,
                "created_at": uow.now,
            }
        ],
    )
    await uow.session.execute(
        insert(models.audit),
        [audit_row(uow, principal.sub, "update", "rules", str(new), {"version": version},
                   {"version": new, "change": change})],
    )  # fmt: skip
    await bump(uow.session, "rules")
    return JSONResponse({"version": new, "rules": _dump(rules)}, headers={"ETag": etag(new)})


@router.get("/rules", response_model=RuleSetRead, responses=with_etag())
async def get_rules(
    principal: RulesReader, session: SessionDep, response: Response
) -> dict[str, Any]:
    version, rules = await load_rules(session)
    response.headers["ETag"] = etag(version)
    return {"version": version, "rules": _dump(rules)}


@router.get("/rules/versions", response_model=RuleVersionList)
async def list_versions(
    principal: RulesReader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="versions per page")] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=INT32_MAX, description="cursor: versions older than this")
    ] = None,
) -> dict[str, Any]:
    """Newest first, ``limit`` at a time; ``next_before`` continues (None: no more)."""
    t = models.rule_versions
    stmt = select(t.c.version, t.c.change, t.c.author, t.c.created_at)
    if before is not None:
        stmt = stmt.where(t.c.version < before)
    rows = (await session.execute(stmt.order_by(t.c.version.desc()).limit(limit + 1))).mappings()
    items = [jsonable(utc_row(r)) for r in rows]
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_before": items[-1]["version"] if more else None}


@router.get(
    "/rules/versions/{version}",
    response_model=RuleVersionRead,
    responses=problem(404, "rules_version_not_found"),
)
async def get_version(
    version: VersionPath, principal: RulesReader, session: SessionDep
) -> dict[str, Any]:
    return jsonable(utc_row(await _version_row(session, version)))


@router.post(
    "/rules/versions/{version}/restore",
    response_model=RuleSetRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag() | _RULES_WRITE | problem(404, "rules_version_not_found"),
)
async def restore_version(
    version: VersionPath, request: Request, principal: RulesWriter, core: CoreDep
) -> JSONResponse:
    if not principal.is_admin:
        raise forbidden("only admins restore a whole rule set")
    async with core.unit() as uow:
        row = await _version_row(uow.session, version)
        rules = [Rule.model_validate(r) for r in row["rules"]]
        return await _save(uow, principal, rules, f"restored version {version}", request)


@router.put(
    "/rules",
    response_model=RuleSetRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag() | _RULES_WRITE,
)
async def replace_rules(
    body: RuleSetIn, request: Request, principal: RulesWriter, core: CoreDep
) -> JSONResponse:
    """Replace (or reorder) the whole set. Admins only."""
    if not principal.is_admin:
        raise forbidden("only admins replace the whole rule set")
    async with core.unit() as uow:
        return await _save(uow, principal, body.rules, body.change, request)


@router.get("/rules/{rule_id}", response_model=RuleRead, responses=problem(404, "rule_not_found"))
async def get_rule(rule_id: str, principal: RulesReader, session: SessionDep) -> dict[str, Any]:
    version, rules = await load_rules(session)
    for i, r in enumerate(rules):
        if r.id == rule_id:
            return {"version": version, "position": i, "rule": r.model_dump(mode="json")}
    raise not_found("rule", rule_id)


@router.post(
    "/rules",
    status_code=201,
    response_model=RuleSetRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag(201) | _RULES_WRITE | problem(409, "rule_exists"),
)
async def create_rule(
    rule: Rule,
    request: Request,
    principal: RulesWriter,
    core: CoreDep,
    position: Annotated[
        int | None, Query(ge=0, le=INT32_MAX, description="index; default: before fallbacks")
    ] = None,
) -> JSONResponse:
    """Add a rule (leads: for their own team)."""
    if not _lead_may(principal, rule):
        raise forbidden("leads write rules for their own team only")
    async with core.unit() as uow:
        _v, rules = await load_rules(uow.session)
        if any(r.id == rule.id for r in rules):
            raise ApiProblem(409, "rule_exists", f"rule {rule.id!r} exists", field="id")
        if position is None:
            fallbacks = [i for i, r in enumerate(rules) if r.then.fallback]
            position = fallbacks[0] if fallbacks else len(rules)
        rules.insert(min(position, len(rules)), rule)
        resp = await _save(uow, principal, rules, f"added {rule.id}", request)
    resp.status_code = 201
    return resp


@router.put(
    "/rules/{rule_id}",
    response_model=RuleSetRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag() | _RULES_WRITE | problem(404, "rule_not_found"),
)
async def update_rule(
    rule_id: str, rule: Rule, request: Request, principal: RulesWriter, core: CoreDep
) -> JSONResponse:
    if rule.id != rule_id:
        raise ApiProblem(422, "invalid_rule", "the rule's id must match the URL", field="id")
    async with core.unit() as uow:
        rules, idx = await _rule_to_change(uow, principal, rule_id, rule)
        rules[idx] = rule
        return await _save(uow, principal, rules, f"changed {rule_id}", request)


@router.delete(
    "/rules/{rule_id}",
    response_model=RuleSetRead,
    openapi_extra=request_headers(IF_MATCH_OPTIONAL),
    responses=with_etag() | _RULES_WRITE | problem(404, "rule_not_found"),
)
async def delete_rule(
    rule_id: str, request: Request, principal: RulesWriter, core: CoreDep
) -> JSONResponse:
    async with core.unit() as uow:
        rules, idx = await _rule_to_change(uow, principal, rule_id, None)
        del rules[idx]
        return await _save(uow, principal, rules, f"removed {rule_id}", request)


@router.post(
    "/rules/simulate",
    response_model=SimulationRead,
    responses=problem(422, "validation_error", "invalid_rule"),
)
async def simulate_rules(body: SimulateIn, principal: RulesReader, core: CoreDep) -> dict[str, Any]:
    """The decision for ``post`` without any effect: team, collaborators, priority, SLA,
    approvals, the member it would go to, and the explanation."""
    async with core.runtime.sessionmaker() as session:
        teams = set((await session.execute(select(models.teams.c.id))).scalars())
        if body.rules is not None:
            problems = check_rules(body.rules, teams)
            if problems:
                p = problems[0]
                raise ApiProblem(422, "invalid_rule", f"{p.field}: {p.reason}", field=p.field)
        return await simulate(core, session, body.post, rules=body.rules, at=body.at)
