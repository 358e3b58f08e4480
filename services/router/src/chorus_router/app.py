"""The router app: wiring only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from chorus_common.contracts import topics
from chorus_common.runtime import BusFactory, Runtime
from chorus_common.service_app import create_service_app
from chorus_common.tickets import StreamTickets
from fastapi import FastAPI

from chorus_router import background, models
from chorus_router.accountability import passes
from chorus_router.api import accountability as accountability_api
from chorus_router.api import (
    audit,
    case_actions,
    case_posts,
    cases,
    directory_resolve,
    members,
    posts,
    rules,
    stream,
    teams,
)
from chorus_router.api import intent as intent_api
from chorus_router.api import whatif as whatif_api
from chorus_router.consumer import batch_dispatcher
from chorus_router.core import RouterCore
from chorus_router.directory.lookup import DirectoryMembers
from chorus_router.handlers import HANDLERS
from chorus_router.intent.kit import ModelKit
from chorus_router.intent.package import PackagedKit
from chorus_router.seeding import ensure_seeded, seed
from chorus_router.settings import RouterSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ROUTERS = (
    cases.router,
    case_actions.router,
    stream.router,
    teams.router,
    members.router,
    directory_resolve.router,
    rules.router,
    audit.router,
    accountability_api.router,
    whatif_api.router,
    intent_api.router,
    posts.router,
    case_posts.router,
)


def create_app(
    settings: RouterSettings, *, bus: BusFactory | None = None, intent_kit: ModelKit | None = None
) -> FastAPI:
    """``intent_kit``: the intent models (default: the packaged classifier's)."""
    runtime = Runtime(
        settings,
        metadata=models.metadata,
        migrations=MIGRATIONS,
        outbox_table=models.outbox,
        bus=bus,
    )
    core = RouterCore(runtime, settings, intent_kit if intent_kit is not None else PackagedKit())
    core.first_unit = seed
    passes.install(core)
    handle = batch_dispatcher(
        core, passes.with_accountability(HANDLERS, settings.router_accountability)
    )
    runtime.add_consumer("posts", [topics.POSTS], handle)
    runtime.add_consumer(
        "feedback",
        [topics.REPLIES, topics.ALERTS],
        handle,
        fetch_max_wait_ms=settings.kafka_feedback_fetch_max_wait_ms,
    )
    runtime.add_background(lambda: background.run(core))
    app = create_service_app(
        runtime,
        title="Chorus router",
        description="Directory, routing rules, cases: the right people for every conversation.",
        routers=ROUTERS,
    )
    app.state.core = core
    app.state.stream_tickets = StreamTickets.from_settings(settings)
    # The router is the directory: a token's member is looked up in its own tables.
    app.state.authenticator.members = DirectoryMembers(core)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with inner(a):
            await ensure_seeded(core)
            if core.cache.kit is not None:  # the shipped model loads now, not in the first batch
                await asyncio.to_thread(core.cache.kit.shipped)
            yield

    app.router.lifespan_context = lifespan
    return app
