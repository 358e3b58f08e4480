"""Annotated dependencies of the responder API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from chorus_common.auth import Principal, require
from chorus_common.runtime import Runtime
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_runtime(request).sessionmaker() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RepliesReader = Annotated[Principal, Depends(require("replies:read"))]
