"""Router settings (environment variables; router-specific ones start with ``ROUTER_``)."""

from __future__ import annotations

from typing import Literal

from chorus_common.settings import CommonSettings
from pydantic import Field

from chorus_router.accountability.policy import AccountabilityPolicy
from chorus_router.casework.load import LoadWeights


class RouterSettings(CommonSettings):
    service_name: str = "router"
    port: int = 8002
    # Smaller batches than the common 500: a batch's case events are published when its unit
    # of work commits, so the batch's duration is part of every post's routing latency, and a
    # unit's fixed cost spread over 100 posts is still small (docs/performance.md).
    kafka_max_poll_records: int = 100
    # The consumer of replies and alerts is off the routing path (a reply sent, crisis mode):
    # its fetches may wait longer when the topics are quiet. Tansu answers an empty fetch only
    # when the wait ends, so a short wait costs the broker a stream of empty fetches at rest.
    kafka_feedback_fetch_max_wait_ms: int = 200
    router_default_team: str = Field(default="support", description="team when no rule matches")
    router_default_sla_minutes: int = 1440
    router_crisis_team: str = "pr"
    router_seed: bool = Field(default=True, description="install teams, members, rules if empty")
    router_release_seconds: float = Field(default=2.0, gt=0, description="queue release tick")
    router_sla_check_seconds: float = Field(default=5.0, gt=0, description="SLA checker tick")
    router_auto_resolve_hours: float = Field(
        default=72.0, ge=0, description="resolve replied cases quiet this long (0 = never)"
    )
    router_load_weights: LoadWeights = Field(default_factory=LoadWeights)
    router_enrich_missing: bool = Field(
        default=True, description="compute language/sentiment when a post lacks them"
    )
    router_snapshot_seconds: float = Field(
        default=30.0, gt=0, description="re-read directory/rules at least this often"
    )
    router_accountability: AccountabilityPolicy = Field(default_factory=AccountabilityPolicy)
    router_intent: Literal["on", "off"] = Field(
        default="on",
        description="the intent classifier on the routing path; off: rules with an intent "
        "condition never match (the model API still works)",
    )
    router_intent_max_corrections: int = Field(
        default=20_000, ge=0, description="newest team corrections a retraining uses"
    )
    router_intent_train_timeout_seconds: float = Field(
        default=1800.0, gt=0, description="a retraining not done by then is marked failed"
    )


def get_settings() -> RouterSettings:
    return RouterSettings()
