"""Changing a case: assign, hand back, resolve, reopen, edit. Every one needs If-Match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from chorus_common.auth import Principal
from chorus_common.openapi import (
    IF_MATCH_REQUIRED,
    problem,
    request_headers,
    with_etag,
)
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from chorus_router.api.cases import can_see, case_view
from chorus_router.api.deps import (
    ApiProblem,
    CasesAssigner,
    CasesWriter,
    CoreDep,
    check_if_match,
    etag,
    forbidden,
    not_found,
)
from chorus_router.api.reads import CaseRead
from chorus_router.casework.case import Case
from chorus_router.casework.handoff import not_ours
from chorus_router.casework.lifecycle import InvalidTransition
from chorus_router.casework.service import Casework
from chorus_router.casework.store import emit, fetch_case
from chorus_router.routing.evaluate import PRIORITY_RANK

router = APIRouter(prefix="/v1", tags=["cases"])
_CASE_WRITE = (
    with_etag()
    | problem(403, "forbidden", "insufficient_scope")
    | problem(404, "case_not_found")
    | problem(412, "precondition_failed")
    | problem(428, "precondition_required")
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignBody(_Body):
    member_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=500)


class ReasonBody(_Body):
    reason: str = Field(default="", max_length=500)


class HandbackBody(ReasonBody):
    not_for_us: bool = Field(
        default=False,
        description="the case is not this team's: its lead gets it to move it to the right "
        "team, and that move teaches the intent classifier",
    )


class CasePatch(_Body):
    priority: str | None = Field(default=None, pattern="^P[1-4]$")
    tags: list[str] | None = None
    collaborators: list[str] | None = None
    approvals_required: list[str] | None = None


def _is_lead_of(p: Principal, team: str) -> bool:
    return p.is_admin or (p.role == "lead" and team in p.teams)


def _works_on(p: Principal, case: Case) -> bool:
    return _is_lead_of(p, case.team) or (p.member_id is not None and p.member_id == case.assignee)


async def _mutate(
    request: Request,
    core: CoreDep,
    principal: Principal,
    case_id: str,
    act: Callable[[Casework, Case], None],
) -> JSONResponse:
    async with core.unit() as uow:
        case = await fetch_case(uow.session, case_id)
        if case is None or not can_see(principal, case):
            raise not_found("case", case_id)
        check_if_match(request, case.version, required=True)
        work = await Casework.open(uow)
        try:
            act(work, case)
        except InvalidTransition as exc:
            raise ApiProblem(409, "invalid_transition", str(exc), field="status") from exc
        await work.save([case])
    return JSONResponse(case_view(case), headers={"ETag": etag(case.version)})


@router.post(
    "/cases/{case_id}/assign",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=_CASE_WRITE
    | problem(409, "invalid_transition", "member_at_capacity")
    | problem(422, "validation_error", "unknown_member", "member_not_in_team"),
)
async def assign_case(
    case_id: str, body: AssignBody, request: Request, principal: CasesAssigner, core: CoreDep
) -> JSONResponse:
    """Leads (of the owner team) and admins give the case to a member of an involved team."""

    def act(work: Casework, case: Case) -> None:
        if not _is_lead_of(principal, case.team):
            raise forbidden(f"only a lead of {case.team} or an admin can assign this case")
        member = work.snap.directory.members.get(body.member_id)
        if member is None or not member.active:
            raise ApiProblem(
                422, "unknown_member", f"no active member {body.member_id!r}", field="member_id"
            )
        involved = {case.team, *case.collaborators}
        if not involved & set(member.teams):
            raise ApiProblem(
                422,
                "member_not_in_team",
                f"{member.id} is not in {sorted(involved)}",
                field="member_id",
            )
        if member.id == case.assignee:
            return
        load = work.book.get(member.id)
        if load.open_cases >= member.capacity:
            raise ApiProblem(
                409,
                "member_at_capacity",
                f"{member.id} is at capacity ({load.open_cases}/{member.capacity})",
                field="member_id",
            )
        work.assign_to(case, member.id, principal.sub, body.reason or "reassigned")

    return await _mutate(request, core, principal, case_id, act)


@router.post(
    "/cases/{case_id}/handback",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=_CASE_WRITE | problem(409, "invalid_transition", "not_assigned"),
)
async def hand_back(
    case_id: str, body: HandbackBody, request: Request, principal: CasesWriter, core: CoreDep
) -> JSONResponse:
    """The assignee (or a lead) gives the case back: someone else in the team, or the queue;
    ``not_for_us``: to the team's lead, who moves it to another team."""

    def act(work: Casework, case: Case) -> None:
        if not _works_on(principal, case):
            raise forbidden("only the assignee, a lead of the team or an admin can hand back")
        if not case.assignee:
            raise ApiProblem(409, "not_assigned", "the case has no assignee", field="assignee")
        why = body.reason or "handed back"
        if body.not_for_us:
            not_ours(work, case, actor=principal.sub, reason=why)
        else:
            work.handback(case, principal.sub, why)

    return await _mutate(request, core, principal, case_id, act)


def _by_owner_team(
    principal: Principal, step: Literal["resolve", "reopen"], reason: str
) -> Callable[[Casework, Case], None]:
    """Resolve or reopen: for the case's owner team or whoever works on it."""

    def act(work: Casework, case: Case) -> None:
        if not (_works_on(principal, case) or case.team in principal.teams):
            raise forbidden(f"only the owner team, its lead or an admin can {step}")
        (work.resolve if step == "resolve" else work.reopen)(case, reason.rstrip(": "))

    return act


@router.post(
    "/cases/{case_id}/resolve",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=_CASE_WRITE | problem(409, "invalid_transition"),
)
async def resolve_case(
    case_id: str, body: ReasonBody, request: Request, principal: CasesWriter, core: CoreDep
) -> JSONResponse:
    act = _by_owner_team(principal, "resolve", f"resolved by {principal.sub}: {body.reason}")
    return await _mutate(request, core, principal, case_id, act)


@router.post(
    "/cases/{case_id}/reopen",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=_CASE_WRITE | problem(409, "invalid_transition"),
)
async def reopen_case(
    case_id: str, body: ReasonBody, request: Request, principal: CasesWriter, core: CoreDep
) -> JSONResponse:
    act = _by_owner_team(principal, "reopen", f"reopened by {principal.sub}: {body.reason}")
    return await _mutate(request, core, principal, case_id, act)


@router.patch(
    "/cases/{case_id}",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=_CASE_WRITE
    | problem(409, "invalid_transition")
    | problem(422, "validation_error", "unknown_team"),
)
async def patch_case(
    case_id: str, body: CasePatch, request: Request, principal: CasesWriter, core: CoreDep
) -> JSONResponse:
    """Priority, tags, collaborating teams, approvals; a raised priority is an escalation."""

    def act(work: Casework, case: Case) -> None:
        if not _works_on(principal, case):
            raise forbidden("only the assignee, a lead of the team or an admin can edit")
        teams = work.snap.directory.teams
        for name in ("collaborators", "approvals_required"):
            for t in getattr(body, name) or ():
                if t not in teams:
                    raise ApiProblem(422, "unknown_team", f"unknown team {t!r}", field=name)
        escalated = False
        if body.priority and body.priority != case.priority:
            escalated = PRIORITY_RANK[body.priority] < PRIORITY_RANK[case.priority]
            case.priority = body.priority
        if body.tags is not None:
            case.tags = list(dict.fromkeys(body.tags))
        if body.collaborators is not None:
            case.collaborators = [t for t in dict.fromkeys(body.collaborators) if t != case.team]
        if body.approvals_required is not None:
            case.approvals = list(dict.fromkeys(body.approvals_required))
        kind = "case.escalated" if escalated else "case.updated"
        emit(work.uow, kind, case, reason=f"edited by {principal.sub}")

    return await _mutate(request, core, principal, case_id, act)
