"""Shared-accountability policy: fairness bound, rebalancing, idle owners, SLA pauses.

Configured with ``ROUTER_ACCOUNTABILITY`` (a JSON object); every field has a default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PresenceState = Literal["available", "away", "off_shift", "out_of_office", "inactive"]
UNAVAILABLE: tuple[str, ...] = ("away", "off_shift", "out_of_office", "inactive")
PausableState = Literal["open", "waiting_approval", "waiting_customer"]


class AccountabilityPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fairness_bound: float = Field(
        default=1.5,
        ge=1.0,
        description="nobody gets a case while carrying more than this times the relative load "
        "of the lightest colleague who could take it (unless nobody else can)",
    )
    fairness_enforced: bool = Field(default=True, description="False: record, never refuse")
    shift_hours: int = Field(default=8, ge=1, le=24, description="shifts start at 00:00 UTC")
    rebalance_after_minutes: dict[str, float] = Field(
        default_factory=lambda: {
            "away": 15.0,
            "off_shift": 15.0,
            "out_of_office": 0.0,
            "inactive": 0.0,
        },
        description="how long a member is unavailable before their open cases move; "
        "a state left out never moves cases",
    )
    rebalance_statuses: tuple[str, ...] = Field(
        default=("assigned", "reopened", "waiting_approval", "replied"),
        description="case statuses that move when their owner leaves",
    )
    return_from_queue: bool = Field(
        default=True, description="a member who comes back takes queued cases, oldest first"
    )
    idle_minutes: dict[str, float] = Field(
        default_factory=lambda: {"P1": 30.0, "P2": 120.0, "P3": 480.0, "P4": 1440.0},
        description="owner inactivity after which a case is reassigned, per priority",
    )
    idle_notice_fraction: float = Field(
        default=0.75, gt=0, lt=1, description="the owner is warned at this fraction of it"
    )
    idle_check_seconds: float = Field(default=15.0, gt=0)
    sla_paused_states: tuple[PausableState, ...] = Field(
        default=("waiting_customer",), description="states in which the handling clock stops"
    )
    metrics_seconds: float = Field(default=15.0, gt=0, description="fairness gauges refresh")
    record_posts: bool = Field(default=True, description="keep routed posts for what-if")
    routed_posts_days: int = Field(default=35, ge=1, description="what-if history kept")
    whatif_max_posts: int = Field(default=50_000, ge=1)

    @field_validator("rebalance_after_minutes")
    @classmethod
    def _states(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k in value if k not in UNAVAILABLE]
        if bad:
            raise ValueError(f"unknown state {bad[0]!r}; one of {', '.join(UNAVAILABLE)}")
        return value

    @field_validator("idle_minutes")
    @classmethod
    def _priorities(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k in value if k not in ("P1", "P2", "P3", "P4")]
        if bad:
            raise ValueError(f"unknown priority {bad[0]!r}")
        return value
