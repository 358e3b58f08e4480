"""SLA for the first response: due times and breach checks (pure, time passed in)."""

from __future__ import annotations

from datetime import datetime, timedelta

OPEN_FOR_SLA = frozenset({"new", "queued", "assigned", "reopened", "waiting_approval"})


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
