"""The FastAPI dependencies every service's API shares: its runtime and a database session.

``async def``: FastAPI runs a plain ``def`` dependency on a worker thread, and a thread
hand-off per dependency per request would dominate a cheap request's cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_common.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session of the service's database, closed when the response is sent."""
    async with (await get_runtime(request)).sessionmaker() as session:
        yield session


def etag(version: int) -> str:
    """The strong ETag of a resource at ``version``."""
    return f'"{version}"'


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
