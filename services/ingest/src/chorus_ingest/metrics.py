"""Ingest's own Prometheus series, registered on the runtime's registry."""

from __future__ import annotations

from chorus_common.metrics import Metrics
from prometheus_client import Counter, Gauge


class IngestMetrics:
    def __init__(self, metrics: Metrics) -> None:
        r = metrics.registry
        self.service = metrics.service
        self.posts = Counter(
            "chorus_ingest_posts_total",
            "Posts seen by ingest, by platform and outcome (accepted/updated/duplicate/stale/rejected)",
            ["platform", "outcome"],
            registry=r,
        )
        self.webhooks = Counter(
            "chorus_ingest_webhooks_total",
            "Webhook deliveries by platform and result (ok, unsigned, bad_signature, …)",
            ["platform", "result"],
            registry=r,
        )
        self.polls = Counter(
            "chorus_ingest_polls_total",
            "Poll requests by platform and result (ok, not_modified, error)",
            ["platform", "result"],
            registry=r,
        )
        self.archive_purged = Counter(
            "chorus_ingest_archive_purged_total",
            "Archived posts deleted by the retention task",
            registry=r,
        )
        self.channels = Gauge(
            "chorus_ingest_poll_channels", "Channels with a poll schedule", registry=r
        )
