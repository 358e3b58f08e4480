"""Idle owners: when the owner is warned and when the case is offered to someone else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from chorus_router.accountability.policy import AccountabilityPolicy

# Statuses where the ball is in the owner's court (not waiting on approval or the customer).
OWNER_TURN = frozenset({"assigned", "reopened"})

Verdict = Literal["wait", "notice", "reassign"]


def deadlines(
    since: datetime, priority: str, policy: AccountabilityPolicy
) -> tuple[datetime, datetime] | None:
    """(warn owner at, reassign at); None when this priority never times out."""
    minutes = policy.idle_minutes.get(priority)
    if minutes is None or minutes <= 0:
        return None
    limit = timedelta(minutes=minutes)
    return since + limit * policy.idle_notice_fraction, since + limit


def shortest_delays(policy: AccountabilityPolicy) -> tuple[timedelta, timedelta] | None:
    """(earliest warning, earliest reassignment) after ``since`` over all priorities; None when
    no priority ever times out. Watched cases younger than these cannot be due."""
    limits = [timedelta(minutes=m) for m in policy.idle_minutes.values() if m is not None and m > 0]
    if not limits:
        return None
    shortest = min(limits)
    return shortest * policy.idle_notice_fraction, shortest


def verdict(
    since: datetime,
    priority: str,
    noticed_at: datetime | None,
    now: datetime,
    policy: AccountabilityPolicy,
) -> Verdict:
    """Reassign at the configured time (never before), after warning the owner first."""
    d = deadlines(since, priority, policy)
    if d is None:
        return "wait"
    notice_at, reassign_at = d
    if now >= reassign_at:
        # The owner is always warned before the case leaves them.
        return "reassign" if noticed_at is not None else "notice"
    if now >= notice_at and noticed_at is None:
        return "notice"
    return "wait"
