"""Who a caller is: ``GET /v1/me`` for anyone, ``POST /v1/directory/resolve`` for services."""

from __future__ import annotations

from typing import Annotated, Literal

from chorus_common.auth import Principal, require
from chorus_common.members import MemberQuery
from chorus_common.openapi import problem
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chorus_router.api.deps import ApiProblem, DirectoryReader, SessionDep, forbidden
from chorus_router.identity import find_member

router = APIRouter(prefix="/v1", tags=["directory"])


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: str | None = Field(
        default=None, min_length=1, max_length=255, description="OpenID subject"
    )
    email: str | None = Field(default=None, min_length=3, max_length=320)
    email_verified: bool = Field(default=False, description="the provider verified the e-mail")
    member_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _names_someone(self) -> ResolveIn:
        if self.sub is None and self.member_id is None and self.email is None:
            raise ValueError("give sub, email or member_id")
        return self


class ResolvedMember(BaseModel):
    member_id: str
    role: Literal["admin", "lead", "agent"] = Field(description="from the directory")
    teams: list[str] = Field(description="teams they belong to or lead")
    active: bool


@router.post(
    "/directory/resolve",
    response_model=ResolvedMember,
    responses=problem(403, "forbidden", "insufficient_scope") | problem(404, "member_unknown"),
)
async def resolve_member(
    body: ResolveIn, principal: DirectoryReader, session: SessionDep
) -> ResolvedMember:
    """The member a token names (services and admins; read only, nothing cached)."""
    if principal.role not in ("service", "admin"):
        raise forbidden("only services and admins resolve members")
    query = MemberQuery(
        sub=body.sub, email=body.email, email_verified=body.email_verified, member_id=body.member_id
    )
    member = await find_member(session, query)
    if member is None:
        raise ApiProblem(404, "member_unknown", "no member matches")
    return ResolvedMember(
        member_id=member.member_id,
        role=member.role,
        teams=list(member.teams),
        active=member.active,
    )


class Me(BaseModel):
    sub: str
    member_id: str | None
    role: Literal["admin", "lead", "agent", "service"]
    teams: list[str] = Field(description="the teams whose cases the caller sees")
    scopes: list[str]


@router.get("/me", response_model=Me)
async def who_am_i(principal: Annotated[Principal, Depends(require())]) -> Me:
    """The caller as Chorus sees them: for a signed-in person, the directory's role and teams."""
    return Me(
        sub=principal.sub,
        member_id=principal.member_id,
        role=principal.role,
        teams=list(principal.teams),
        scopes=list(principal.scopes),
    )
