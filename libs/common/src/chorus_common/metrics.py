"""Prometheus metrics: one registry per app instance (no import-time globals)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from chorus_common.contracts.event_types import EVENT_TYPES
from chorus_common.messaging.envelope import DECODE_CODES

LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
# Post to assignment: seconds when someone is free, hours when the case waits in a queue.
ASSIGNMENT_BUCKETS = (
    *LATENCY_BUCKETS,
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
    2 * 3600.0,
    4 * 3600.0,
    8 * 3600.0,
    24 * 3600.0,
    72 * 3600.0,
)
# The codes a consumer dead-letters with: the decoder's, its own crash, a handler's failure.
DEAD_LETTER_CODES: tuple[str, ...] = (*DECODE_CODES, "decode_failed", "handler_error")


class Series:
    """Makes series on one registry; a series that names no labels gets ``labels``."""

    def __init__(self, registry: CollectorRegistry, labels: Sequence[str] = ()) -> None:
        self.registry = registry
        self._default_labels = tuple(labels)

    def counter(self, name: str, doc: str, labels: Sequence[str] | None = None) -> Counter:
        return Counter(name, doc, self._names(labels), registry=self.registry)

    def gauge(self, name: str, doc: str, labels: Sequence[str] | None = None) -> Gauge:
        return Gauge(name, doc, self._names(labels), registry=self.registry)

    def histogram(
        self,
        name: str,
        doc: str,
        labels: Sequence[str] | None = None,
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> Histogram:
        return Histogram(name, doc, self._names(labels), buckets=buckets, registry=self.registry)

    def _names(self, labels: Sequence[str] | None) -> Sequence[str]:
        return self._default_labels if labels is None else labels


class Metrics(Series):
    """The metrics every service exports (labelled by ``service``); services register their
    own on ``registry`` (a ``Series`` of it)."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        super().__init__(registry or CollectorRegistry(), ("service",))
        self.service = service
        http = ("service", "route", "method")
        self.http_requests = self.counter(
            "chorus_http_requests_total",
            "HTTP requests by route, method and status",
            (*http, "status"),
        )
        self.http_duration = self.histogram(
            "chorus_http_request_duration_seconds", "HTTP request duration by route", http
        )
        by_type = ("service", "topic", "type")
        self.events_consumed = self.counter(
            "chorus_events_consumed_total", "Events consumed by topic and type", by_type
        )
        self.events_produced = self.counter(
            "chorus_events_produced_total", "Events produced by topic and type", by_type
        )
        self.dead_letters = self.counter(
            "chorus_dead_letters_total",
            "Messages sent to the dead-letter topic, by origin and error code",
            ("service", "origin", "code"),
        )
        self.handler_duration = self.histogram(
            "chorus_handler_duration_seconds",
            "Duration of one consumer batch (decode, handle, commit)",
            ("service", "topic"),
        )
        self.handler_retries = self.counter(
            "chorus_handler_retries_total",
            "Batches retried after a transient error (database or broker unavailable)",
        )
        self.consumer_lag = self.gauge(
            "chorus_consumer_lag",
            "Records not yet committed by this consumer group (end offset - committed; on the "
            "embedded broker, whose end offsets count batches: high-water mark - committed)",
            ("service", "group", "topic", "partition"),
        )
        self.idempotent_producer = self.gauge(
            "chorus_kafka_idempotent_producer",
            "1 when the producer runs idempotent (KAFKA_ENABLE_IDEMPOTENCE resolved against the "
            "broker), 0 when it does not",
        )
        self.e2e_latency = self.histogram(
            "chorus_post_to_assignment_seconds",
            "End-to-end latency from post acceptance (post.received) to case.assigned",
            buckets=ASSIGNMENT_BUCKETS,
        )
        self.outbox_pending = self.gauge(
            "chorus_outbox_pending",
            "Events committed to the outbox and not yet acknowledged by the broker",
        )
        self.rate_limited = self.counter(
            "chorus_http_rate_limited_total", "Requests refused by the rate limiter"
        )
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        # Series an alert or a panel reads exist from start-up at zero: increase() and rate()
        # see the first increment only against an earlier sample.
        for series in (self.handler_retries, self.rate_limited, self.outbox_pending):
            series.labels(self.service)

    def expect_consumer(self, topics: Iterable[str]) -> None:
        """Start at zero the series of a consumer of ``topics``: events consumed per type,
        batch duration, and dead letters per origin topic and code."""
        svc = self.service
        for topic in topics:
            for kind, spec in EVENT_TYPES.items():
                if spec.topic == topic:
                    self.events_consumed.labels(svc, topic, kind)
            self.handler_duration.labels(svc, topic)
            for code in DEAD_LETTER_CODES:
                self.dead_letters.labels(svc, topic, code)
