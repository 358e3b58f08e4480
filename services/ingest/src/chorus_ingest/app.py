"""The ingest app: wiring only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chorus_common.runtime import BusFactory, Runtime
from chorus_common.service_app import create_service_app
from chorus_platforms.registry import CONNECTORS, POLL_SOURCES
from fastapi import FastAPI

from chorus_ingest import archive, models
from chorus_ingest.api import archive as archive_api
from chorus_ingest.api import channels, normalize, post_reads, posts, webhooks
from chorus_ingest.channels import CandidateCache
from chorus_ingest.fetches import Fetcher
from chorus_ingest.intake import Intake
from chorus_ingest.metrics import IngestMetrics
from chorus_ingest.poller import Poller
from chorus_ingest.settings import IngestSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: IngestSettings, *, bus: BusFactory | None = None) -> FastAPI:
    runtime = Runtime(
        settings,
        metadata=models.metadata,
        migrations=MIGRATIONS,
        outbox_table=models.outbox,
        bus=bus,
    )
    metrics = IngestMetrics(runtime.metrics)
    intake = Intake(
        runtime,
        metrics,
        keep_raw=settings.archive_keep_raw,
        group_window_s=settings.ingest_group_commit_ms / 1000,
        group_max_posts=settings.ingest_group_max_posts,
    )
    app = create_service_app(
        runtime,
        title="Chorus ingest",
        description="Webhooks, pollers and the generic API: every platform, normalized, "
        "verified, deduplicated and published to chorus.posts.v1.",
        routers=[
            posts.router,
            post_reads.router,
            webhooks.router,
            normalize.router,
            channels.router,
            archive_api.router,
        ],
    )
    runtime.add_background(
        lambda: archive.purge_forever(
            runtime,
            metrics,
            retention=timedelta(days=settings.archive_retention_days),
            interval=settings.archive_purge_interval_seconds,
        )
    )
    poller = Poller(runtime, intake, metrics, settings, sources=POLL_SOURCES, connectors=CONNECTORS)
    if settings.poller_enabled:
        runtime.add_background(poller.run_forever)
    app.state.intake = intake
    app.state.channel_cache = CandidateCache(runtime, settings.webhook_channel_cache_seconds)
    app.state.poller = poller
    app.state.fetcher = Fetcher(settings)
    app.state.ingest_metrics = metrics
    return app
