"""The FastAPI app around a service's runtime: lifespan, shared HTTP plumbing, its routers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from chorus_common.authn import Authenticator
from chorus_common.http import install_http, ops_router, token_subject
from chorus_common.members import router_members
from chorus_common.openapi import install_openapi

if TYPE_CHECKING:
    from chorus_common.runtime import Runtime


def create_service_app(
    runtime: Runtime,
    *,
    title: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    description: str = "",
) -> FastAPI:
    """A FastAPI app whose lifespan starts and stops ``runtime``, with the shared HTTP plumbing."""
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        if getattr(app.state, "gc_freeze", False):
            gc.freeze()  # what start-up built (engine, caches, schemas) lives as long as we do
        try:
            yield
        finally:
            await runtime.stop()

    # Swagger UI and ReDoc served from the package's own assets: /docs works offline.
    app = FastAPIOffline(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
        telemetry=None
        if settings.http_otel
        else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.authenticator = authenticator = Authenticator(settings, router_members(settings))
    install_openapi(app)
    install_http(
        app,
        metrics=runtime.metrics,
        max_body_bytes=settings.max_body_bytes,
        rate_per_minute=settings.rate_limit_per_minute,
        identify=token_subject(settings, authenticator.oidc),
        cors_origins=settings.cors_origins(),
    )
    app.include_router(ops_router(runtime.metrics, runtime.ready))
    for r in routers:
        app.include_router(r)
    return app
