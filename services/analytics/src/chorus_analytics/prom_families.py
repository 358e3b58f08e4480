"""The analytics metric families and the snapshot of their samples that a scrape is served.

Labels are bounded: channels and languages beyond the busiest N become ``other``; no post ids
or author names are ever labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

P = "chorus_analytics_"

# name -> (type, help, labels); counters are exposed with a ``_total`` suffix.
FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "posts": ("counter", "Posts counted, all time", ("platform", "kind", "sentiment")),
    "posts_by_origin": (
        "counter",
        "Posts by the brand / by others, all time",
        ("platform", "origin"),
    ),
    "posts_by_channel": ("counter", "Posts counted per channel, all time", ("channel",)),
    "posts_by_language": ("counter", "Posts counted per language, all time", ("lang",)),
    "posts_by_team": ("gauge", "Posts per team of their case, all time", ("team",)),
    "negative_posts_by_channel": ("counter", "Negative posts per channel", ("channel",)),
    "engagement": ("counter", "Likes, shares, replies, views on posts", ("kind", "metric")),
    "authors_24h": ("gauge", "Distinct authors over the last 24 hours", ()),
    "author_reach_24h": ("gauge", "Sum of followers of authors over the last 24 hours", ()),
    "net_sentiment_24h": ("gauge", "Net sentiment per channel, last 24 hours", ("channel",)),
    "cases_open": ("gauge", "Open cases now", ("team", "priority")),
    "case_events": ("counter", "Case events by type", ("type", "team", "priority")),
    "sla_compliance_ratio_24h": (
        "gauge",
        "SLA met / (met + breached), cases opened in 24 h",
        ("team",),
    ),
    "first_response_seconds_24h": ("gauge", "Time to first reply sent", ("team", "quantile")),
    "resolution_seconds_24h": ("gauge", "Time to resolution", ("team", "quantile")),
    "assignment_seconds_24h": ("gauge", "Post received to first assignment", ("team", "quantile")),
    "member_cases": (
        "gauge",
        "Open cases now / handled in 24 h per member (only with METRICS_MEMBER_SERIES=1)",
        ("team", "member", "state"),
    ),
    "workload_gini": (
        "gauge",
        "Gini coefficient of load across a team's members",
        ("team", "state"),
    ),
    "workload_busiest_share": (
        "gauge",
        "Share of a team's load on its busiest member",
        ("team", "state"),
    ),
    "time_in_hands_seconds": (
        "gauge",
        "Seconds cases spent in a team's hands (its members and queue) per state, all time",
        ("team", "state"),
    ),
    "case_handoffs": ("gauge", "Hand-offs of cases, by their current team, all time", ("team",)),
    "member_time_in_hands_seconds": (
        "gauge",
        "Seconds in hands, all states, of the METRICS_TOP_MEMBERS members holding most"
        " (only with METRICS_MEMBER_SERIES=1)",
        ("team", "member"),
    ),
    "replies": ("counter", "Reply events by status", ("team", "status")),
    "approval_turnaround_seconds_24h": (
        "gauge",
        "Approval request to decision, decided in the last 24 hours",
        ("quantile",),
    ),
    "alerts": ("counter", "Alerts seen on chorus.alerts.v1", ("type", "state")),
    "buzz_active": ("gauge", "Bad-buzz subjects currently raised", ("kind",)),
    "dead_letters": ("counter", "Dead letters seen on chorus.dlq.v1", ("source", "code")),
    "refresh_timestamp_seconds": ("gauge", "When these figures were last refreshed", ()),
    "refresh_duration_seconds": ("gauge", "How long the last refresh took", ()),
}


def exported_names() -> set[str]:
    return {P + n + ("_total" if t == "counter" else "") for n, (t, _, _) in FAMILIES.items()}


class Snapshot:
    """Samples per family, built off-line and swapped in whole."""

    def __init__(self) -> None:
        self.samples: dict[str, dict[tuple[str, ...], float]] = defaultdict(
            lambda: defaultdict(float)
        )

    def add(self, name: str, labels: Iterable[str], value: float) -> None:
        self.samples[name][tuple(str(x) for x in labels)] += float(value)

    def set(self, name: str, labels: Iterable[str], value: float) -> None:
        self.samples[name][tuple(str(x) for x in labels)] = float(value)


class AnalyticsCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        for name, (kind, doc, labels) in FAMILIES.items():
            family: Any = (CounterMetricFamily if kind == "counter" else GaugeMetricFamily)(
                P + name, doc, labels=list(labels)
            )
            for key, value in snap.samples.get(name, {}).items():
                family.add_metric(list(key), value)
            yield family
