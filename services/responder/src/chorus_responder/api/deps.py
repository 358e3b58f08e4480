"""Annotated dependencies of the responder API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from chorus_common.auth import Principal, require
from chorus_common.runtime import Runtime
from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_responder.arrivals import Arrivals
from chorus_responder.directory import Directory
from chorus_responder.errors import ResponderError
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> ResponderSettings:
    settings: ResponderSettings = request.app.state.settings
    return settings


def get_directory(request: Request) -> Directory:
    d: Directory = request.app.state.directory
    return d


def get_broadcaster(request: Request) -> Broadcaster:
    b: Broadcaster = request.app.state.broadcaster
    return b


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_runtime(request).sessionmaker() as session:
        yield session


def http_error(err: ResponderError) -> HTTPException:
    headers = {"Retry-After": str(err.retry_after)} if err.retry_after is not None else None
    return HTTPException(err.status, detail=err.body(), headers=headers)


def get_arrivals(request: Request) -> Arrivals:
    arrivals: Arrivals = request.app.state.arrivals
    return arrivals


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int:
    """The version an If-Match header names; 428 without one, 412 if unreadable."""
    if not value:
        raise http_error(
            ResponderError(428, "if_match_required", "send If-Match with the reply's ETag")
        )
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise http_error(ResponderError(412, "version_mismatch", f"unreadable If-Match {value!r}"))
    return int(raw)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[ResponderSettings, Depends(get_settings)]
BroadcasterDep = Annotated[Broadcaster, Depends(get_broadcaster)]
DirectoryDep = Annotated[Directory, Depends(get_directory)]
ArrivalsDep = Annotated[Arrivals, Depends(get_arrivals)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RepliesReader = Annotated[Principal, Depends(require("replies:read"))]
RepliesWriter = Annotated[Principal, Depends(require("replies:write"))]
RepliesApprover = Annotated[Principal, Depends(require("replies:approve"))]
TemplatesWriter = Annotated[Principal, Depends(require("templates:write"))]
PoliciesWriter = Annotated[Principal, Depends(require("policies:write"))]
ChannelsReader = Annotated[Principal, Depends(require("channels:read"))]
ChannelsWriter = Annotated[Principal, Depends(require("channels:write"))]
