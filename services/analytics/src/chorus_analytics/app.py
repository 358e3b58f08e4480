"""The analytics app: wiring only."""

from __future__ import annotations

from pathlib import Path

from chorus_common.contracts import topics
from chorus_common.runtime import BusFactory, Runtime
from chorus_common.service_app import create_service_app
from fastapi import FastAPI

from chorus_analytics import models, prom, prom_families, spikes_job
from chorus_analytics.api import dead_letters, reports
from chorus_analytics.consumer import batch_handler
from chorus_analytics.settings import AnalyticsSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(settings: AnalyticsSettings, *, bus: BusFactory | None = None) -> FastAPI:
    runtime = Runtime(
        settings,
        metadata=models.metadata,
        migrations=MIGRATIONS,
        outbox_table=models.outbox,
        bus=bus,
    )
    handler = batch_handler(runtime)
    runtime.add_consumer("all", topics.ALL_TOPICS, handler)
    collector = prom_families.AnalyticsCollector()
    runtime.metrics.registry.register(collector)
    if settings.metrics_refresh_seconds > 0:
        runtime.add_background(lambda: prom.run_forever(runtime, settings, collector))
    watch = spikes_job.SpikeWatch()
    if settings.spike_check_seconds > 0:
        runtime.add_background(lambda: spikes_job.run_forever(runtime, settings, watch))
    app = create_service_app(
        runtime,
        title="Chorus analytics",
        routers=[reports.router, dead_letters.router],
        description="Time-bucketed aggregates, reports, spike alerts and Prometheus metrics.",
    )
    app.state.collector = collector
    app.state.spike_watch = watch
    app.state.batch_handler = handler  # the consumer's batch handler (benchmarks drive it)
    return app
