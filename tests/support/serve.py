"""Serve an app on a real port in the test's event loop (other services call it over HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from chorus_common.embedded import free_port
from fastapi import FastAPI

from tests.support.wait import wait_for


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` (its lifespan too) on 127.0.0.1; yield its base URL once it is ready."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        if serving.done():
            serving.result()  # it failed to start: say why
        try:
            async with httpx.AsyncClient() as c:
                return (await c.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await wait_for(up, timeout=60, what=f"{app.title} serving")
        yield base
    finally:
        server.should_exit = True
        await serving
