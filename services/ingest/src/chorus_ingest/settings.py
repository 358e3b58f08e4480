"""Ingest settings (environment variables; see docs/ingest.md)."""

from __future__ import annotations

from chorus_common.settings import CommonSettings
from pydantic import Field


class IngestSettings(CommonSettings):
    service_name: str = "ingest"
    port: int = 8001
    # A 5,000-post batch of the generic shape is about 2.5 MB.
    max_body_bytes: int = 8_388_608
    # Platforms deliver webhooks from a handful of addresses: allow them more than a person.
    rate_limit_per_minute: int = 120_000
    max_batch_items: int = Field(default=10_000, ge=1)
    # Group commit: concurrent webhook deliveries and POST /v1/posts requests arriving within
    # this window share one transaction (0 turns it off); a group closes early at
    # ingest_group_max_posts.
    ingest_group_commit_ms: float = Field(default=2.0, ge=0)
    ingest_group_max_posts: int = Field(default=2000, ge=1)
    # Webhook channels (and their secrets) cached per process; writes through this
    # process's channel API clear the cache at once, other instances within this time.
    webhook_channel_cache_seconds: float = Field(default=2.0, ge=0)
    archive_retention_days: float = Field(default=30.0, gt=0)
    archive_keep_raw: bool = True
    archive_purge_interval_seconds: float = Field(default=3600.0, gt=0)
    replay_max_posts: int = Field(default=200_000, ge=1)
    # Follow-up reads a connector asks for (an item the webhook names but does not carry):
    # at most this many per delivery, each tried this many times with this timeout.
    fetch_max_per_delivery: int = Field(default=20, ge=0)
    fetch_attempts: int = Field(default=3, ge=1)
    fetch_timeout_seconds: float = Field(default=10.0, gt=0)
    # Per platform, where its follow-up reads go instead of the connector's API base
    # (JSON, e.g. {"instagram": "http://127.0.0.1:9500"}: a sandbox or a test server).
    fetch_base_urls: dict[str, str] = Field(default_factory=dict)
    poller_enabled: bool = True
    poll_tick_seconds: float = Field(default=1.0, gt=0)
    poll_default_interval_seconds: float = Field(default=300.0, gt=0)
    poll_min_interval_seconds: float = Field(default=0.2, gt=0)
    poll_max_backoff_seconds: float = Field(default=3600.0, gt=0)
    poll_timeout_seconds: float = Field(default=20.0, gt=0)
    poll_max_pages_per_tick: int = Field(default=5, ge=1)
    poll_concurrency: int = Field(default=4, ge=1)


def get_settings() -> IngestSettings:
    return IngestSettings()
