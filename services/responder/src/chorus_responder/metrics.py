"""Responder metrics, registered on the service's registry."""

from __future__ import annotations

from chorus_common.metrics import Metrics, Series


class ResponderMetrics(Series):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__(metrics.registry)
        self.service = metrics.service
        self.replies = self.counter(
            "chorus_replies_total",
            "Reply steps (drafted, approved, rejected, sent, failed) by platform",
            ["service", "step", "platform"],
        )
        self.attempts = self.counter(
            "chorus_reply_send_attempts_total",
            "Calls to a platform's reply API by outcome (ok, transient, permanent, reconciled)",
            ["service", "platform", "outcome"],
        )
        self.duration = self.histogram(
            "chorus_reply_send_duration_seconds",
            "Duration of one platform call",
            ["service", "platform"],
        )
        self.in_flight = self.gauge(
            "chorus_reply_sends_in_flight",
            "Platform calls in progress",
            ["service", "platform"],
        )

    def step(self, step: str, platform: str | None) -> None:
        self.replies.labels(self.service, step, platform or "unknown").inc()
