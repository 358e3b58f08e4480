"""Responder metrics, registered on the service's registry."""

from __future__ import annotations

from chorus_common.metrics import LATENCY_BUCKETS, Metrics
from prometheus_client import Counter, Gauge, Histogram


class ResponderMetrics:
    def __init__(self, metrics: Metrics) -> None:
        r = metrics.registry
        self.service = metrics.service
        self.replies = Counter(
            "chorus_replies_total",
            "Reply steps (drafted, approved, rejected, sent, failed) by platform",
            ["service", "step", "platform"],
            registry=r,
        )
        self.attempts = Counter(
            "chorus_reply_send_attempts_total",
            "Calls to a platform's reply API by outcome (ok, transient, permanent, reconciled)",
            ["service", "platform", "outcome"],
            registry=r,
        )
        self.duration = Histogram(
            "chorus_reply_send_duration_seconds",
            "Duration of one platform call",
            ["service", "platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "chorus_reply_sends_in_flight",
            "Platform calls in progress",
            ["service", "platform"],
            registry=r,
        )

    def step(self, step: str, platform: str | None) -> None:
        self.replies.labels(self.service, step, platform or "unknown").inc()
