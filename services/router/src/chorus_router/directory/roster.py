"""Teams and members as routing sees them: skills, languages, capacity, hours, availability."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chorus_router.intent.verdict import INTENTS

Availability = Literal["on_shift", "away", "out_of_office"]
AVAILABILITIES: tuple[str, ...] = ("on_shift", "away", "out_of_office")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hhmm_to_minutes(value: str) -> int:
    h, m = value.split(":")
    return int(h) * 60 + int(m)


@dataclass(frozen=True, slots=True)
class Shift:
    """Working time on some weekdays (0 = Monday), local time; ``end <= start`` wraps past midnight."""

    days: frozenset[int]
    start: int
    end: int

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Shift:
        return cls(
            days=frozenset(int(d) for d in raw.get("days", range(7))),
            start=hhmm_to_minutes(str(raw["start"])),
            end=hhmm_to_minutes(str(raw["end"])),
        )

    def covers(self, weekday: int, minute: int) -> bool:
        if self.start < self.end:
            return weekday in self.days and self.start <= minute < self.end
        # Overnight: the part after midnight belongs to the previous day's shift.
        if minute >= self.start:
            return weekday in self.days
        return minute < self.end and (weekday - 1) % 7 in self.days


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    name: str
    teams: tuple[str, ...]
    capacity: int
    timezone: str = "UTC"
    languages: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    shifts: tuple[Shift, ...] = ()
    availability: str = "on_shift"
    until: datetime | None = None
    active: bool = True

    def effective_availability(self, now: datetime) -> str:
        """Away / out of office with an ``until`` in the past counts as back on shift."""
        if self.availability != "on_shift" and self.until is not None and self.until <= now:
            return "on_shift"
        return self.availability

    def in_hours(self, now: datetime) -> bool:
        """No shifts means no fixed hours (always working)."""
        if not self.shifts:
            return True
        local = now.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        wd = local.weekday()
        return any(s.covers(wd, minute) for s in self.shifts)

    def unavailable_reason(self, now: datetime) -> str | None:
        """Why the member cannot take a case at ``now`` (None: they can)."""
        return _unavailable_reason(self, now)

    def _unavailable_reason(self, now: datetime) -> str | None:
        if not self.active:
            return "inactive"
        state = self.effective_availability(now)
        if state == "out_of_office":
            until = f" until {self.until.isoformat()}" if self.until else ""
            return f"out of office{until}"
        if state == "away":
            return "away"
        if not self.in_hours(now):
            local = now.astimezone(ZoneInfo(self.timezone)).strftime("%a %H:%M")
            return f"outside working hours ({local} {self.timezone})"
        return None


@lru_cache(maxsize=8192)
def _unavailable_reason(member: Member, now: datetime) -> str | None:
    # A batch asks the same question for every post: memoised per (member, instant).
    return member._unavailable_reason(now)


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    lead: str | None = None
    intent: str | None = None  # what a case landing here is an example of (see intent_of)


@dataclass(frozen=True, slots=True)
class Directory:
    teams: Mapping[str, Team] = field(default_factory=dict)
    members: Mapping[str, Member] = field(default_factory=dict)
    version: int = 0

    @classmethod
    def of(cls, teams: Iterable[Team], members: Iterable[Member], version: int = 0) -> Directory:
        return cls({t.id: t for t in teams}, {m.id: m for m in members}, version)

    def members_of(self, team: str) -> list[Member]:
        return [m for m in self.members.values() if team in m.teams and m.active]

    def lead_of(self, team: str | None) -> str | None:
        t = self.teams.get(team or "")
        return t.lead if t else None

    def intent_of(self, team: str) -> str | None:
        """The team's intent: as set on the team, else its id when that is an intent."""
        t = self.teams.get(team)
        if t is not None and t.intent:
            return t.intent
        return team if team in INTENTS else None


def member_from_row(row: Mapping[str, Any]) -> Member:
    """Build a :class:`Member` from its stored representation (plain dict)."""
    return Member(
        id=row["id"],
        name=row["name"],
        teams=tuple(row.get("teams") or ()),
        capacity=int(row["capacity"]),
        timezone=row.get("timezone") or "UTC",
        languages=frozenset(x.lower() for x in row.get("languages") or ()),
        skills=frozenset(row.get("skills") or ()),
        platforms=frozenset(row.get("platforms") or ()),
        shifts=tuple(Shift.parse(s) for s in row.get("working_hours") or ()),
        availability=row.get("availability") or "on_shift",
        until=row.get("availability_until"),
        active=bool(row.get("active", True)),
    )


def days_label(days: Sequence[int]) -> str:
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def presence_of(member: Member, now: datetime) -> str:
    """available, away, out_of_office, off_shift or inactive."""
    if not member.active:
        return "inactive"
    state = member.effective_availability(now)
    if state != "on_shift":
        return state
    return "available" if member.in_hours(now) else "off_shift"


def back_at_work(
    recorded: Mapping[str, str], members: Mapping[str, Member], now: datetime
) -> list[str]:
    """Members available now whose recorded presence is another state: their return has not
    been acted on yet (a member never recorded is not returning, only first seen)."""
    return sorted(
        m
        for m, state in recorded.items()
        if state != "available" and m in members and presence_of(members[m], now) == "available"
    )
