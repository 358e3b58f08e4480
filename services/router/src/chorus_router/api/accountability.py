"""Responsibility record of a case, hand-offs between teams, and team fairness."""

from __future__ import annotations

from typing import Any

from chorus_common.openapi import IF_MATCH_REQUIRED, problem, request_headers, with_etag
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from chorus_router import models
from chorus_router.accountability.fairness_report import team_fairness
from chorus_router.accountability.responsibility import case_accountability
from chorus_router.api.cases import can_see, case_view, load_visible
from chorus_router.api.deps import (
    ApiProblem,
    CasesAssigner,
    CasesReader,
    CoreDep,
    DirectoryReader,
    SessionDep,
    check_if_match,
    etag,
    forbidden,
    not_found,
)
from chorus_router.api.reads import AccountabilityRead, CaseRead, FairnessRead
from chorus_router.casework.handoff import TransferRefused, transfer
from chorus_router.casework.lifecycle import InvalidTransition
from chorus_router.casework.service import Casework
from chorus_router.casework.store import add_case_teams, fetch_case
from chorus_router.intent.corrections import record_correction

router = APIRouter(prefix="/v1", tags=["accountability"])


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    team: str = Field(min_length=1, max_length=64)
    member_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="", max_length=500)


@router.get(
    "/cases/{case_id}/accountability",
    response_model=AccountabilityRead,
    responses=problem(404, "case_not_found"),
)
async def get_accountability(
    case_id: str, principal: CasesReader, session: SessionDep, core: CoreDep
) -> dict[str, Any]:
    """RACI per involved team, every hand-off with its reason, time in each team's and each
    member's hands per state (open, waiting for approval, waiting for the customer), the SLA
    clock (paused by policy, attributed per team) and the idle-owner deadlines."""
    case = await load_visible(session, principal, case_id)
    return await case_accountability(core, session, case)


@router.post(
    "/cases/{case_id}/transfer",
    response_model=CaseRead,
    openapi_extra=request_headers(IF_MATCH_REQUIRED),
    responses=with_etag()
    | problem(403, "forbidden", "insufficient_scope")
    | problem(404, "case_not_found")
    | problem(409, "invalid_transition", "member_at_capacity")
    | problem(412, "precondition_failed")
    | problem(422, "validation_error", "unknown_team", "same_team", "member_not_in_team")
    | problem(428, "precondition_required"),
)
async def transfer_case(
    case_id: str, body: TransferBody, request: Request, principal: CasesAssigner, core: CoreDep
) -> JSONResponse:
    """Hand the case to another team (its lead or an admin; If-Match required): the old owner
    team stays informed as a collaborator; the member is named or chosen by the router. The
    case's post becomes a labelled example of the new team's intent (a correction)."""
    async with core.unit() as uow:
        case = await fetch_case(uow.session, case_id)
        if case is None or not can_see(principal, case):
            raise not_found("case", case_id)
        if not (principal.is_admin or (principal.role == "lead" and case.team in principal.teams)):
            raise forbidden(f"only a lead of {case.team} or an admin can transfer this case")
        check_if_match(request, case.version, required=True)
        work = await Casework.open(uow)
        from_team = case.team
        try:
            transfer(
                work,
                case,
                body.team,
                actor=principal.sub,
                reason=body.reason,
                member=body.member_id,
            )
        except TransferRefused as exc:
            status = 409 if exc.code == "member_at_capacity" else 422
            raise ApiProblem(status, exc.code, str(exc), field=exc.field) from exc
        except InvalidTransition as exc:
            raise ApiProblem(409, "invalid_transition", str(exc), field="status") from exc
        await work.save([case])
        await add_case_teams(uow.session, core.runtime.dialect, [case])
        await record_correction(
            uow, case, work.snap.directory, from_team=from_team, actor=principal.sub
        )
    return JSONResponse(case_view(case), headers={"ETag": etag(case.version)})


@router.get(
    "/teams/{team_id}/fairness",
    response_model=FairnessRead,
    responses=problem(403, "forbidden", "insufficient_scope") | problem(404, "team_not_found"),
)
async def get_fairness(
    team_id: str, principal: DirectoryReader, session: SessionDep, core: CoreDep
) -> dict[str, Any]:
    """Per-shift fairness of a team: weighted load max/min ratio and Gini, now and over the
    shift, the configured bound and how often the guard stepped in."""
    if not principal.can_see_team(team_id):
        raise forbidden(f"not a member of {team_id}")
    t = models.teams
    if (await session.execute(select(t.c.id).where(t.c.id == team_id))).first() is None:
        raise not_found("team", team_id)
    return await team_fairness(core, session, team_id)
