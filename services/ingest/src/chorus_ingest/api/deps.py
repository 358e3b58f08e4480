"""Annotated dependencies of the ingest API.

All ``async def``: FastAPI runs a plain ``def`` dependency on a worker thread, and a
thread hand-off per dependency per request would dominate a webhook's cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from chorus_common.auth import Principal, require
from chorus_common.runtime import Runtime
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest.intake import Intake
from chorus_ingest.settings import IngestSettings


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


async def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessionmaker() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
IntakeDep = Annotated[Intake, Depends(get_intake)]
SettingsDep = Annotated[IngestSettings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
PostsWriter = Annotated[Principal, Depends(require("posts:write"))]
PostsReader = Annotated[Principal, Depends(require("posts:read"))]
ChannelsReader = Annotated[Principal, Depends(require("channels:read"))]
ChannelsWriter = Annotated[Principal, Depends(require("channels:write"))]
ArchiveReplayer = Annotated[Principal, Depends(require("archive:replay"))]
