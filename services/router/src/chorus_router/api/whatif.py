"""What-if routing: a proposed rule set (and roster) replayed over the recorded posts of a
period, side by side with what really happened. Nothing live is read for writing or changed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from chorus_common.openapi import problem
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from chorus_router import models
from chorus_router.api.deps import ApiProblem, CoreDep, RulesReader, SessionDep
from chorus_router.api.directory_schemas import MemberCreate
from chorus_router.api.reads import WhatIfRead
from chorus_router.routing.rules import Rule, check_rules
from chorus_router.snapshot import utc
from chorus_router.whatif.service import TooManyPosts, UnknownModel, what_if

router = APIRouter(prefix="/v1", tags=["rules"])
# At most six digits: any longer period reaches past the calendar.
_DURATION = re.compile(r"^(\d{1,6})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: str) -> timedelta:
    m = _DURATION.match(value.strip())
    if not m:
        raise ValueError("a duration like 90m, 24h, 7d or 2w")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rules: list[Rule] | None = Field(
        default=None, description="the proposed rule set, in order (default: the current one)"
    )
    model: str | None = Field(
        default=None,
        max_length=64,
        description="an intent model version (a candidate from POST /v1/intent/models) to "
        "replay instead of the current model, compared with it case by case",
    )
    roster: list[MemberCreate] | None = Field(
        default=None, description="proposed members (default: the current directory)"
    )
    since: str = Field(
        default="7d",
        pattern=r"^\s*\d{1,6}[mhdw]\s*$",
        description="period ending at `to`: 90m, 24h, 7d, 2w",
    )
    start: datetime | None = Field(default=None, alias="from", description="instead of since")
    to: datetime | None = Field(default=None, description="end of the period (default now)")

    @field_validator("since")
    @classmethod
    def _since(cls, value: str) -> str:
        parse_duration(value)
        return value


def _roster_rows(roster: list[MemberCreate]) -> list[dict[str, Any]]:
    rows = []
    for m in roster:
        row = m.model_dump()
        row["working_hours"] = [s.model_dump() for s in m.working_hours or []]
        row["languages"] = row.get("languages") or ["en"]
        rows.append(row)
    return rows


@router.post(
    "/rules/what-if",
    response_model=WhatIfRead,
    responses=problem(
        422,
        "validation_error",
        "invalid_rule",
        "unknown_team",
        "invalid_period",
        "period_too_large",
    ),
)
async def rules_what_if(
    body: WhatIfIn, principal: RulesReader, session: SessionDep, core: CoreDep
) -> dict[str, Any]:
    """Replay the recorded posts of the period through ``rules`` (and ``roster``, and intent
    ``model``): cases per team and member, fairness, approvals needed and projected SLA
    attainment, beside the real figures, plus the cases whose outcome would change; with
    ``model``, ``intent_model.moved``: the cases the candidate model sends to another team
    than the current model does (how many, from which team to which, examples)."""
    teams = set((await session.execute(select(models.teams.c.id))).scalars())
    problems = check_rules(body.rules, teams) if body.rules is not None else []
    if problems:
        p = problems[0]
        raise ApiProblem(422, "invalid_rule", f"{p.field}: {p.reason}", field=p.field)
    for i, m in enumerate(body.roster or []):
        unknown = [t for t in m.teams if t not in teams]
        if unknown:
            raise ApiProblem(
                422, "unknown_team", f"unknown team {unknown[0]!r}", field=f"roster[{i}].teams"
            )
    end = utc(body.to) or core.clock()
    try:
        start = utc(body.start) or end - parse_duration(body.since)
    except OverflowError as exc:
        raise ApiProblem(
            422, "invalid_period", "the period starts before year 1", field="since"
        ) from exc
    if start >= end:
        raise ApiProblem(422, "invalid_period", "the period must end after it starts", field="from")
    roster = _roster_rows(body.roster) if body.roster is not None else None
    try:
        return await what_if(
            core, session, body.rules, start=start, end=end, roster=roster, model=body.model
        )
    except TooManyPosts as exc:
        raise ApiProblem(422, "period_too_large", str(exc), field="since") from exc
    except UnknownModel as exc:
        raise ApiProblem(422, "unknown_model", str(exc), field="model") from exc
