"""Responder settings: the common ones plus ``RESPONDER_*`` for templates, collisions and sending."""

from __future__ import annotations

from typing import Any

from chorus_common.settings import CommonSettings
from chorus_platforms.registry import PLATFORMS
from pydantic import AliasChoices, Field


def _env(name: str, **kw: Any) -> Any:
    return Field(validation_alias=AliasChoices(f"RESPONDER_{name.upper()}", name), **kw)


# Conservative sends per minute per platform and channel (each platform's own, in its folder);
# the platform's own 429 and Retry-After always win over these.
DEFAULT_RATES: dict[str, int] = {
    slug: p.sends_per_minute for slug, p in PLATFORMS.items() if p.sends_per_minute is not None
}


class ResponderSettings(CommonSettings):
    service_name: str = "responder"
    port: int = 8003
    # Its views of posts and cases are read when a person drafts a reply: a small batch may
    # wait this long for more, so posts arriving one webhook at a time share a transaction.
    kafka_consume_gather_ms: int = 100
    # Fewer empty fetches at rest (Tansu answers them only when the wait ends); within the
    # gathering delay a person could notice anyway.
    kafka_fetch_max_wait_ms: int = 100
    # Off the routing path: when the cores are busy, ingest, the broker and the router go
    # first (chorus_common.priority), which keeps routing latency down; the views catch up
    # in the next quiet moment.
    cpu_nice: int = 10

    router_url: str = _env("router_url", default="http://127.0.0.1:8002")
    """The router, which owns the directory: approval policies are checked against its teams."""
    directory_timeout_seconds: float = _env("directory_timeout_seconds", default=5.0, gt=0)
    platform_base_url: str | None = _env("platform_base_url", default=None)
    """Send every platform's API call to this base URL (the demo sandbox), whatever the channel says."""
    smtp_host: str | None = _env("smtp_host", default=None)
    smtp_port: int = _env("smtp_port", default=25)
    brand: str = _env("brand", default="Chorus")
    collision_window_minutes: float = _env("collision_window_minutes", default=10.0, ge=0)
    # A draft or a case's replies asked for before this responder has read the case (the
    # router's stream is faster than its consumer) wait this long for it, then get 503.
    case_wait_seconds: float = _env("case_wait_seconds", default=3.0, ge=0, le=30)

    sender_enabled: bool = _env("sender_enabled", default=True)
    send_timeout_seconds: float = _env("send_timeout_seconds", default=10.0, gt=0)
    send_max_attempts: int = _env("send_max_attempts", default=8, ge=1)
    send_backoff_base_seconds: float = _env("send_backoff_base_seconds", default=1.0, gt=0)
    send_backoff_max_seconds: float = _env("send_backoff_max_seconds", default=300.0, gt=0)
    send_lease_seconds: float = _env("send_lease_seconds", default=60.0, gt=0)
    send_poll_seconds: float = _env("send_poll_seconds", default=0.5, gt=0)
    send_concurrency_per_platform: int = _env("send_concurrency_per_platform", default=4, ge=1)
    platform_rates_per_minute: dict[str, int] = _env(
        "platform_rates_per_minute", default_factory=lambda: dict(DEFAULT_RATES)
    )


def get_settings() -> ResponderSettings:
    return ResponderSettings()
