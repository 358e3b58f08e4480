"""The responder app: wiring only."""

from __future__ import annotations

from pathlib import Path

from chorus_common import topics
from chorus_common.consume import dispatcher
from chorus_common.runtime import BusFactory, Runtime, create_service_app
from fastapi import FastAPI

from chorus_responder import models
from chorus_responder.api import replies
from chorus_responder.handlers import HANDLERS
from chorus_responder.settings import ResponderSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: ResponderSettings, *, bus: BusFactory | None = None) -> FastAPI:
    runtime = Runtime(
        settings,
        metadata=models.metadata,
        migrations=MIGRATIONS,
        outbox_table=models.outbox,
        bus=bus,
    )
    runtime.add_consumer(
        "cases", [topics.CASES], dispatcher(runtime, processed=models.processed, handlers=HANDLERS)
    )
    return create_service_app(runtime, title="Chorus responder", routers=[replies.router])
