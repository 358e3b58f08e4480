"""Annotated dependencies of the analytics API."""

from __future__ import annotations

from typing import Annotated

from chorus_common.api_deps import RuntimeDep, SessionDep
from chorus_common.auth import Principal, require
from chorus_common.problems import ApiProblem
from fastapi import Depends, Request

from chorus_analytics.settings import AnalyticsSettings

__all__ = ["RuntimeDep", "SessionDep"]  # re-exported: the routes import them from here


def get_settings(request: Request) -> AnalyticsSettings:
    settings: AnalyticsSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[AnalyticsSettings, Depends(get_settings)]
ReportsReader = Annotated[Principal, Depends(require("reports:read"))]


def team_scope(principal: Principal, team: str | None = None) -> tuple[str, ...] | None:
    """The teams whose figures the caller may read (None: all, and figures of no team);
    403 ``team_not_visible`` for an explicit ``team`` filter outside them."""
    if team is not None and not principal.can_see_team(team):
        raise ApiProblem(
            403,
            "team_not_visible",
            f"team: {team!r} is not one of your teams",
            field="query.team",
        )
    if principal.can_see_team(None):  # admins and services
        return None
    return tuple(sorted(principal.teams))
