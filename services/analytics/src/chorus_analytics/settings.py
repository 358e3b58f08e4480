"""Analytics settings (environment variables; see docs/analytics.md)."""

from __future__ import annotations

from chorus_common.settings import CommonSettings
from pydantic import Field


class AnalyticsSettings(CommonSettings):
    service_name: str = "analytics"
    port: int = 8004
    # Analytics is throughput-bound, not latency-bound: under a backlog, bigger batches
    # collapse more hour/day bucket rows and amortise each statement (KAFKA_MAX_POLL_RECORDS).
    kafka_max_poll_records: int = 2000
    # ... and a small batch waits up to this long for more (posts arriving one webhook at a
    # time would otherwise cost a whole transaction each; a full batch goes at once). Reports
    # read minute buckets anyway: counts a second late cost nothing, and bigger batches cost
    # less CPU per event in a surge.
    kafka_consume_gather_ms: int = 1000
    # Tansu answers an empty fetch only when this wait ends (new data does not wake it), so
    # every consumer costs the broker a fetch per wait at rest. Analytics gathers for a second
    # anyway, so a longer wait adds little to a count and spares the broker idle fetches.
    kafka_fetch_max_wait_ms: int = 250
    # Off the routing path: when the cores are busy, ingest, the broker and the router go
    # first (chorus_common.priority); counts catch up in the next quiet moment, in bigger
    # (cheaper per event) batches.
    cpu_nice: int = 10
    # Spike detection on negative mentions per minute (EWMA baseline + z-score).
    spike_check_seconds: float = Field(default=10.0, ge=0)  # 0 disables the periodic check
    spike_alpha: float = Field(default=0.05, gt=0, le=1)
    spike_z_raise: float = Field(default=6.0, gt=0)
    spike_z_clear: float = Field(default=2.0, ge=0)
    spike_min_count: int = Field(default=5, ge=0)
    spike_window_minutes: int = Field(default=120, ge=1)
    spike_warmup_minutes: int = Field(default=10, ge=0)
    spike_max_keywords: int = Field(default=50, ge=0)
    # Prometheus gauges are refreshed from the database this often (0 disables).
    metrics_refresh_seconds: float = Field(default=10.0, ge=0)
    # ... but a refresh may take at most this share of the cycle: an expensive one (a big day)
    # waits proportionally longer before the next (0 or 1 = always every METRICS_REFRESH_SECONDS).
    metrics_refresh_max_share: float = Field(default=0.05, ge=0, le=1)
    metrics_max_channels: int = Field(default=50, ge=0)
    # /metrics answers without a token, so series naming a member (member_cases,
    # member_time_in_hands_seconds) are exported only when this is on; team figures always are.
    metrics_member_series: bool = False
    # ... and then the members with most time in hands get their own gauge (bounded labels).
    metrics_top_members: int = Field(default=20, ge=0)
    # Minute buckets older than this are pruned (hour and day buckets are kept).
    minute_retention_hours: int = Field(default=48, ge=1)
    # Dead letters are kept one by one (for `chorus trace`) this long; their counts stay.
    dead_letter_retention_days: int = Field(default=30, ge=1)
    report_max_buckets: int = Field(default=5000, ge=1)
    # Rows one report statement may bring into the process (a grouped series is buckets x
    # groups); beyond it the report is refused with 422, naming what to narrow.
    report_max_rows: int = Field(default=20_000, ge=1)
    # The digest details this many channels (the busiest), each costing a dozen statements.
    digest_max_channels: int = Field(default=20, ge=1)


def get_settings() -> AnalyticsSettings:
    return AnalyticsSettings()
