"""Time buckets (minute, hour, day) in UTC and report time ranges: the grains of analytics'
reports, shared by the service and its clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

Granularity = Literal["minute", "hour", "day"]
GRAINS: tuple[Granularity, ...] = ("minute", "hour", "day")
# One-letter codes stored in the bucket tables.
GRAIN_CODE: dict[Granularity, str] = {"minute": "m", "hour": "h", "day": "d"}
STEP: dict[Granularity, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}
_SINCE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def as_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite round-trips) are UTC; aware ones are converted."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def floor(value: datetime, grain: Granularity) -> datetime:
    """The start of the bucket of ``grain`` holding ``value``."""
    v = as_utc(value)
    if grain == "minute":
        return v.replace(second=0, microsecond=0)
    if grain == "hour":
        return v.replace(minute=0, second=0, microsecond=0)
    return v.replace(hour=0, minute=0, second=0, microsecond=0)


def buckets(start: datetime, end: datetime, grain: Granularity) -> Iterator[datetime]:
    """Every bucket start of ``grain`` overlapping [start, end)."""
    cur = floor(start, grain)
    end = as_utc(end)
    while cur < end:
        yield cur
        cur += STEP[grain]


def bucket_count(start: datetime, end: datetime, grain: Granularity) -> int:
    span = as_utc(end) - floor(start, grain)
    step = STEP[grain]
    return max(0, -(-span // step))


def parse_since(text: str) -> timedelta:
    """``"24h"``, ``"90m"``, ``"7d"``, ``"2w"``, ``"30s"`` → a duration; ValueError otherwise."""
    m = _SINCE.match(text)
    if not m:
        raise ValueError(f"invalid duration {text!r}: use e.g. 90m, 24h, 7d")
    return timedelta(seconds=int(m.group(1)) * _UNIT[m.group(2)])
