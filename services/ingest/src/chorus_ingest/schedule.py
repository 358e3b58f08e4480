"""Pure poll-schedule arithmetic: when to poll next after success, 304 or failure."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_after_success(now: datetime, interval: float) -> datetime:
    return now + timedelta(seconds=interval)


# Stored as next_poll_at, shared by instances and restarts: no in-process tenacity loop fits.
def backoff_seconds(failures: int, interval: float, maximum: float) -> float:
    """Exponential back-off: interval * 2**failures, capped at ``maximum``."""
    return float(min(maximum, interval * (2 ** min(failures, 30))))


def next_after_failure(now: datetime, failures: int, interval: float, maximum: float) -> datetime:
    return now + timedelta(seconds=backoff_seconds(failures, interval, maximum))


def has_more_pages(cursor: dict[str, object]) -> bool:
    """Sources that page (newest-first sweeps) leave a ``page`` token in the cursor."""
    return bool(cursor.get("page"))
