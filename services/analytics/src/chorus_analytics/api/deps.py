"""Annotated dependencies of the analytics API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from chorus_common.auth import Principal, require
from chorus_common.runtime import Runtime
from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics.settings import AnalyticsSettings


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> AnalyticsSettings:
    settings: AnalyticsSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_runtime(request).sessionmaker() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ReportsReader = Annotated[Principal, Depends(require("reports:read"))]


def team_scope(principal: Principal, team: str | None = None) -> tuple[str, ...] | None:
    """The teams whose figures the caller may read (None: all, and figures of no team);
    403 ``team_not_visible`` for an explicit ``team`` filter outside them."""
    if team is not None and not principal.can_see_team(team):
        raise HTTPException(
            403,
            detail={
                "code": "team_not_visible",
                "message": f"team: {team!r} is not one of your teams",
                "field": "team",
            },
        )
    if principal.can_see_team(None):  # admins and services
        return None
    return tuple(sorted(principal.teams))
