"""Ingest's own Prometheus series, registered on the runtime's registry."""

from __future__ import annotations

from collections import Counter as Tally

from chorus_common.metrics import Metrics, Series
from chorus_platforms.kit.inbound import NormalizeResult


class IngestMetrics(Series):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__(metrics.registry)
        self.service = metrics.service
        self.posts = self.counter(
            "chorus_ingest_posts_total",
            "Posts seen by ingest, by platform and outcome (accepted/updated/duplicate/stale/rejected)",
            ["platform", "outcome"],
        )
        self.items = self.counter(
            "chorus_ingest_items_total",
            "Items of the payloads ingest read, by platform and outcome (post, skipped, error) "
            "with the skip or error code as reason (none for a post)",
            ["platform", "outcome", "reason"],
        )
        self.webhooks = self.counter(
            "chorus_ingest_webhooks_total",
            "Webhook deliveries by platform and result (ok, unsigned, bad_signature, …)",
            ["platform", "result"],
        )
        self.polls = self.counter(
            "chorus_ingest_polls_total",
            "Poll requests by platform and result (ok, not_modified, error)",
            ["platform", "result"],
        )
        self.archive_purged = self.counter(
            "chorus_ingest_archive_purged_total", "Archived posts deleted by the retention task"
        )
        self.channels = self.gauge("chorus_ingest_poll_channels", "Channels with a poll schedule")

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
