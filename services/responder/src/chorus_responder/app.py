"""The responder app: wiring only."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from chorus_common.contracts import topics
from chorus_common.messaging.bus.loop import BatchHandler
from chorus_common.messaging.consuming import dispatcher, transactions
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import BusFactory, Runtime
from chorus_common.service_app import create_service_app
from chorus_common.tickets import StreamTickets
from chorus_platforms.kit.outbound import Sender
from chorus_platforms.registry import SENDERS
from fastapi import FastAPI

from chorus_responder import models
from chorus_responder.api import (
    channels,
    length,
    policies,
    replies,
    reply_approvals,
    stream,
    templates,
)
from chorus_responder.arrivals import Arrivals
from chorus_responder.directory import Directory, RouterDirectory
from chorus_responder.handlers import CONSUMERS
from chorus_responder.metrics import ResponderMetrics
from chorus_responder.sending.worker import SendWorker
from chorus_responder.settings import ResponderSettings
from chorus_responder.stream import Broadcaster

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def notifying(handle: BatchHandler, arrivals: Arrivals) -> BatchHandler:
    """``handle``, then wake the requests waiting for the views (the batch is committed)."""

    async def handle_and_notify(events: list[Envelope]) -> None:
        await handle(events)
        arrivals.notify()

    return handle_and_notify


def create_app(
    settings: ResponderSettings,
    *,
    bus: BusFactory | None = None,
    senders: Mapping[str, Sender] | None = None,
    directory: Directory | None = None,
) -> FastAPI:
    runtime = Runtime(
        settings,
        metadata=models.metadata,
        migrations=MIGRATIONS,
        outbox_table=models.outbox,
        bus=bus,
    )
    arrivals = Arrivals()
    for name, topic in (("cases", topics.CASES), ("posts", topics.POSTS)):
        runtime.add_consumer(
            name,
            [topic],
            # The views are versioned upserts: a redelivered or late event changes nothing,
            # so no processed-event ids are kept for them.
            notifying(
                dispatcher(CONSUMERS[name], transactions(runtime), processed=None),
                arrivals,
            ),
        )
    broadcaster = Broadcaster()
    metrics = ResponderMetrics(runtime.metrics)
    worker = SendWorker(runtime, settings, broadcaster, metrics, senders or SENDERS)
    if settings.sender_enabled:
        runtime.add_background(worker.run)
    app = create_service_app(
        runtime,
        title="Chorus responder",
        description="Reply drafts, templates, approval policies and exactly-once sending.",
        routers=[
            replies.router,
            reply_approvals.router,
            templates.router,
            policies.router,
            channels.router,
            stream.router,
            length.router,
        ],
    )
    app.state.broadcaster = broadcaster
    app.state.stream_tickets = StreamTickets.from_settings(settings)
    app.state.directory = directory or RouterDirectory(settings)
    app.state.arrivals = arrivals
    app.state.worker = worker
    app.state.responder_metrics = metrics
    return app
