"""Annotated dependencies of the responder API."""

from __future__ import annotations

from typing import Annotated

from chorus_common.api_deps import RuntimeDep, SessionDep, etag
from chorus_common.auth import Principal, require
from chorus_common.problems import ApiProblem
from fastapi import Depends, Request

from chorus_responder.arrivals import Arrivals
from chorus_responder.directory import Directory
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster

__all__ = ["RuntimeDep", "SessionDep", "etag"]  # re-exported: the routes import them from here


def get_settings(request: Request) -> ResponderSettings:
    settings: ResponderSettings = request.app.state.settings
    return settings


def get_directory(request: Request) -> Directory:
    d: Directory = request.app.state.directory
    return d


def get_broadcaster(request: Request) -> Broadcaster:
    b: Broadcaster = request.app.state.broadcaster
    return b


def get_arrivals(request: Request) -> Arrivals:
    arrivals: Arrivals = request.app.state.arrivals
    return arrivals


def parse_if_match(value: str | None) -> int:
    """The version an If-Match header names; 428 without one, 412 if unreadable."""
    if not value:
        raise ApiProblem(428, "if_match_required", "send If-Match with the reply's ETag")
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise ApiProblem(412, "version_mismatch", f"unreadable If-Match {value!r}")
    return int(raw)


SettingsDep = Annotated[ResponderSettings, Depends(get_settings)]
BroadcasterDep = Annotated[Broadcaster, Depends(get_broadcaster)]
DirectoryDep = Annotated[Directory, Depends(get_directory)]
ArrivalsDep = Annotated[Arrivals, Depends(get_arrivals)]
RepliesReader = Annotated[Principal, Depends(require("replies:read"))]
RepliesWriter = Annotated[Principal, Depends(require("replies:write"))]
RepliesApprover = Annotated[Principal, Depends(require("replies:approve"))]
TemplatesWriter = Annotated[Principal, Depends(require("templates:write"))]
PoliciesWriter = Annotated[Principal, Depends(require("policies:write"))]
ChannelsReader = Annotated[Principal, Depends(require("channels:read"))]
ChannelsWriter = Annotated[Principal, Depends(require("channels:write"))]
