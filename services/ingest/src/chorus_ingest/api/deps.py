"""Annotated dependencies of the ingest API.

All ``async def``: FastAPI runs a plain ``def`` dependency on a worker thread, and a
thread hand-off per dependency per request would dominate a webhook's cost.
"""

from __future__ import annotations

from typing import Annotated

from chorus_common.api_deps import RuntimeDep, SessionDep
from chorus_common.auth import Principal, require
from fastapi import Depends, Request

from chorus_ingest.intake import Intake
from chorus_ingest.settings import IngestSettings

__all__ = ["RuntimeDep", "SessionDep"]  # re-exported: the routes import them from here


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


async def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


IntakeDep = Annotated[Intake, Depends(get_intake)]
SettingsDep = Annotated[IngestSettings, Depends(get_settings)]
PostsWriter = Annotated[Principal, Depends(require("posts:write"))]
PostsReader = Annotated[Principal, Depends(require("posts:read"))]
ChannelsReader = Annotated[Principal, Depends(require("channels:read"))]
ChannelsWriter = Annotated[Principal, Depends(require("channels:write"))]
ArchiveReplayer = Annotated[Principal, Depends(require("archive:replay"))]
