"""Platform times as aware UTC datetimes: ISO 8601 / RFC 3339, Unix epochs, RFC 822 dates and
Twitter's v1.1 format. A time that cannot be read is an ``ItemProblem('invalid_time')``."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from chorus_platforms.kit.fields import ItemProblem

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000


def as_utc(value: datetime) -> datetime:
    """Naive means UTC; an aware time is converted (``invalid_time`` when out of range)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ItemProblem("invalid_time", "time is out of range") from None


def iso(value: datetime) -> str:
    return as_utc(value).isoformat()


def iso_time(value: Any, field: str) -> datetime:
    """ISO 8601 / RFC 3339 (``Z``, ``+00:00`` or ``+0000`` offsets; naive means UTC)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 64:
        raise ItemProblem("invalid_time", f"{field} must be an ISO 8601 time", field)
    if text.endswith("z"):
        text = text[:-1] + "Z"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ItemProblem("invalid_time", f"{field} is not an ISO 8601 time", field) from None
    return as_utc(parsed)


def epoch_time(value: Any, field: str, *, unit: str = "auto") -> datetime:
    """Unix time in seconds or milliseconds (``unit`` "s", "ms" or "auto"); numbers or digits."""
    number: float
    if isinstance(value, bool):
        raise ItemProblem("invalid_time", f"{field} must be a Unix time", field)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.isdigit() and len(value) <= 16:
        number = float(int(value))
    else:
        raise ItemProblem("invalid_time", f"{field} must be a Unix time", field)
    if not math.isfinite(number) or number <= 0:
        raise ItemProblem("invalid_time", f"{field} must be a positive Unix time", field)
    if unit == "ms" or (unit == "auto" and number >= _MS_THRESHOLD):
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        raise ItemProblem("invalid_time", f"{field} is out of range", field) from None


def rfc822_time(value: Any, field: str) -> datetime:
    """An RFC 822/2822 date (RSS pubDate, e-mail Date) as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ItemProblem("invalid_time", f"{field} is missing", field)
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ItemProblem("invalid_time", f"{field} is not an RFC 822 date", field) from exc
    return as_utc(parsed)


def any_time(value: Any, field: str) -> datetime:
    """RFC 3339 first, then RFC 822: feeds use both, whatever their spec says."""
    try:
        return iso_time(value, field)
    except ItemProblem:
        return rfc822_time(value, field)


def twitter_time(value: Any, field: str) -> datetime:
    """The v1.1 format ``Wed Oct 10 20:19:24 +0000 2018`` (parsed without locale)."""
    parts = value.split(" ") if isinstance(value, str) and len(value) <= 40 else []
    if len(parts) != 6 or parts[1] not in _MONTHS or parts[4] != "+0000":
        raise ItemProblem("invalid_time", f"{field} is not a Twitter date", field)
    try:
        hh, mm, ss = (int(p) for p in parts[3].split(":"))
        return datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hh, mm, ss, tzinfo=UTC)
    except ValueError:
        raise ItemProblem("invalid_time", f"{field} is not a Twitter date", field) from None
