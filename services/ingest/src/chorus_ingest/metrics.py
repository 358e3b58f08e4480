"""Ingest's own Prometheus series, registered on the runtime's registry."""

from __future__ import annotations

from collections import Counter as Tally

from chorus_common.metrics import Metrics
from chorus_platforms.kit.inbound import NormalizeResult
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
        self.items = Counter(
            "chorus_ingest_items_total",
            "Items of the payloads ingest read, by platform and outcome (post, skipped, error) "
            "with the skip or error code as reason (none for a post)",
            ["platform", "outcome", "reason"],
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

    def count_items(self, platform: str, result: NormalizeResult | str) -> None:
        """Account for every item of a payload; a code alone is a payload refused as a whole."""
        if isinstance(result, str):
            self.items.labels(platform, "error", result).inc()
            return
        if result.posts:
            self.items.labels(platform, "post", "none").inc(len(result.posts))
        for reason, n in Tally(k.code for k in result.skipped).items():
            self.items.labels(platform, "skipped", reason).inc(n)
        for reason, n in Tally(e.code for e in result.errors).items():
            self.items.labels(platform, "error", reason).inc(n)
