"""SLA for the first response: due times and breach checks (pure, time passed in)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

OPEN_FOR_SLA = frozenset({"new", "queued", "assigned", "reopened", "waiting_approval"})
# The accountability state of each case status (the SLA pauses are given in these states).
STATE_OF: dict[str, str] = {
    "new": "open",
    "queued": "open",
    "assigned": "open",
    "reopened": "open",
    "waiting_approval": "waiting_approval",
    "replied": "waiting_customer",
}
STATES: tuple[str, ...] = ("open", "waiting_approval", "waiting_customer")


def paused_first_response(paused_states: Iterable[str]) -> frozenset[str]:
    """Case statuses in which the first-response SLA stops (and cannot breach)."""
    paused = set(paused_states)
    return frozenset(s for s, state in STATE_OF.items() if state in paused) & OPEN_FOR_SLA


def sla_statuses(paused_states: Iterable[str]) -> list[str]:
    """Statuses the SLA checker looks at: the open ones, minus those the policy pauses."""
    return sorted(OPEN_FOR_SLA - paused_first_response(paused_states))


def due_at(received_at: datetime, sla_minutes: int) -> datetime:
    return received_at + timedelta(minutes=sla_minutes)


def next_due(
    current_due: datetime | None, answered: bool, received_at: datetime, sla_minutes: int
) -> datetime:
    """A new customer post restarts the clock only if the case had been answered; else the
    earlier promise stands (a follow-up never buys more time)."""
    fresh = due_at(received_at, sla_minutes)
    if current_due is None or answered:
        return fresh
    return min(current_due, fresh)


def is_breached(
    now: datetime, due: datetime, status: str, first_response_at: datetime | None
) -> bool:
    return status in OPEN_FOR_SLA and first_response_at is None and now >= due


def remaining_seconds(now: datetime, due: datetime) -> float:
    return (due - now).total_seconds()
