"""A service app served over real HTTP by uvicorn, for as long as a test needs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import uvicorn
from chorus_common.embedded import free_port
from fastapi import FastAPI

from tests.support.wait import wait_for


@contextlib.asynccontextmanager
async def served(app: FastAPI, config: uvicorn.Config | None = None) -> AsyncIterator[str]:
    """``app`` on a free port (or as ``config`` says), ready; yields its base URL."""
    if config is None:
        config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    base = f"http://{config.host}:{config.port}"

    async def up() -> bool:
        if serving.done():
            serving.result()  # raises what stopped the server
        try:
            async with httpx.AsyncClient() as c:
                return (await c.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await wait_for(up, what="service ready")
        yield base
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 20)
