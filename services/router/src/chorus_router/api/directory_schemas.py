"""Request bodies of the directory API (validated: a bad value is a 422 naming the field)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from chorus_common.bounds import not_null
from chorus_common.contracts.events import PLATFORMS
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chorus_router.intent.verdict import IntentName
from chorus_router.routing.conditions.hours import known_zone

_ID = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShiftIn(_Body):
    days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="0 = Monday")
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError("must be HH:MM (00:00-24:00)")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if not v or any(d < 0 or d > 6 for d in v):
            raise ValueError("days are 0 (Monday) to 6 (Sunday), at least one")
        return sorted(set(v))


def _tz(v: str) -> str:
    return known_zone(v)


def _platforms(v: list[str]) -> list[str]:
    bad = [p for p in v if p not in PLATFORMS]
    if bad:
        raise ValueError(f"unknown platform {bad[0]!r}")
    return v


_TEAM_INTENT = (
    "the intent a case moved into this team teaches the classifier (default: the team id "
    "when it is one of legal, pr, brand, support, spam; otherwise none)"
)


class TeamCreate(_Body):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    lead: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=2000)
    intent: IntentName | None = Field(default=None, description=_TEAM_INTENT)


class TeamUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    lead: str | None = Field(default=None, max_length=64, description="null: no lead")
    description: str | None = Field(default=None, max_length=2000)
    intent: IntentName | None = Field(default=None, description=_TEAM_INTENT)

    _present = not_null("name", "description")


_EMAIL = "sign-in maps a provider-verified e-mail here (case-insensitive, one member each)"
_SUBJECT = "the member's `sub` at the OpenID provider (one member each); sign-in maps it here"


class MemberFields(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$", description=_EMAIL
    )
    oidc_subject: str | None = Field(
        default=None, min_length=1, max_length=255, description=_SUBJECT
    )
    admin: bool | None = Field(default=None, description="administers Chorus (admins only)")
    teams: list[str] | None = None
    languages: list[str] | None = None
    skills: list[str] | None = None
    platforms: list[str] | None = None
    capacity: int | None = Field(default=None, ge=0, le=10_000)
    timezone: str | None = None
    working_hours: list[ShiftIn] | None = Field(
        default=None, description="empty list: no fixed hours (always working)"
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str | None) -> str | None:
        return _tz(v) if v is not None else v

    @field_validator("platforms")
    @classmethod
    def _plat(cls, v: list[str] | None) -> list[str] | None:
        return _platforms(v) if v is not None else v

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str] | None) -> list[str] | None:
        return [x.lower()[:2] for x in v] if v is not None else v


class MemberCreate(MemberFields):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    teams: list[str] = Field(min_length=1)
    capacity: int = Field(default=20, ge=0, le=10_000)
    timezone: str = "UTC"


class MemberUpdate(MemberFields):
    _present = not_null(
        "name",
        "admin",
        "teams",
        "languages",
        "skills",
        "platforms",
        "capacity",
        "timezone",
        "working_hours",
    )


class AvailabilityIn(_Body):
    availability: Literal["on_shift", "away", "out_of_office"]
    until: datetime | None = Field(default=None, description="when away/out of office ends")
