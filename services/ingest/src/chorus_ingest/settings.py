"""Ingest settings (environment variables; see docs/ingest.md)."""

from __future__ import annotations

from chorus_common.settings import CommonSettings


class IngestSettings(CommonSettings):
    service_name: str = "ingest"
    port: int = 8001
    # A 5,000-post batch of the generic shape is about 2.5 MB.
    max_body_bytes: int = 8_388_608
    # Platforms deliver webhooks from a handful of addresses: allow them more than a person.
    rate_limit_per_minute: int = 120_000
    max_batch_items: int = 10_000
    # Group commit: concurrent webhook deliveries and POST /v1/posts requests arriving within
    # this window share one transaction (0 turns it off); a group closes early at
    # ingest_group_max_posts.
    ingest_group_commit_ms: float = 2.0
    ingest_group_max_posts: int = 2000
    # Webhook channels (and their secrets) cached per process; writes through this
    # process's channel API clear the cache at once, other instances within this time.
    webhook_channel_cache_seconds: float = 2.0
    archive_retention_days: float = 30.0
    archive_keep_raw: bool = True
    archive_purge_interval_seconds: float = 3600.0
    replay_max_posts: int = 200_000
    poller_enabled: bool = True
    poll_tick_seconds: float = 1.0
    poll_default_interval_seconds: float = 300.0
    poll_min_interval_seconds: float = 0.2
    poll_max_backoff_seconds: float = 3600.0
    poll_timeout_seconds: float = 20.0
    poll_max_pages_per_tick: int = 5
    poll_concurrency: int = 4


def get_settings() -> IngestSettings:
    return IngestSettings()
