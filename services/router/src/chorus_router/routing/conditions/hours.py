"""The condition on when a post arrives: hours of the day, days of the week, a time zone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator

from chorus_router.routing.conditions.base import Check, Condition, Strict, showing
from chorus_router.routing.postview import PostView

_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def known_zone(value: str) -> str:
    """``value`` if it names an IANA time zone; else ValueError."""
    try:
        if len(value) > 64:  # far past any IANA name (and the directory's column)
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: not a file name
        raise ValueError(f"unknown time zone {value[:64]!r}") from exc
    return value


class HoursCondition(Strict):
    """Time of day (and optionally days, 0 = Monday) in a time zone; end before start wraps."""

    start: str
    end: str
    tz: str = "UTC"
    days: tuple[int, ...] = ()

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be HH:MM (00:00-24:00)")
        return value

    @field_validator("tz")
    @classmethod
    def _tz(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("days")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        return value


class HoursConditions(Strict):
    hours: HoursCondition | None = None


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hours(c: HoursCondition | None) -> Check | None:
    if c is None:
        return None
    tz = ZoneInfo(c.tz)
    start, end = _minutes(c.start), _minutes(c.end)
    days = frozenset(c.days)

    def check(v: PostView) -> str | None:
        local = v.at.astimezone(tz)
        mins = local.hour * 60 + local.minute
        inside = start <= mins < end if start < end else (mins >= start or mins < end)
        if days and local.weekday() not in days:
            return f"hours: {local.strftime('%a')} not in days"
        if not inside:
            return f"hours: {local.time().strftime('%H:%M')} outside {c.start}-{c.end} {c.tz}"
        return None

    return check


CONDITIONS: tuple[Condition[HoursConditions], ...] = (
    Condition(
        "hours",
        "hours",
        lambda w: _hours(w.hours),
        showing("hours", lambda v: v.at.isoformat(timespec="minutes")),
    ),
)
