"""Routing rules as data: the schema of one rule, and the checks that need the directory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chorus_common.contracts.events import PLATFORMS
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chorus_router.intent.verdict import IntentName
from chorus_router.routing.text import phrase_stems

KINDS: tuple[str, ...] = ("post", "comment", "reply", "mention", "review", "dm", "email")
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def known_zone(value: str) -> str:
    """``value`` if it names an IANA time zone; else ValueError."""
    try:
        if len(value) > 64:  # far past any IANA name (and the directory's column)
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: not a file name
        raise ValueError(f"unknown time zone {value[:64]!r}") from exc
    return value


class _Strict(BaseModel):
    # No NaN or infinity: JSON cannot store them, and no bound is meant by them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Range(_Strict):
    """Inclusive bounds; either may be omitted."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class SentimentCondition(_Strict):
    labels: tuple[Literal["negative", "neutral", "positive"], ...] = ()
    min: float | None = Field(default=None, ge=-1.0, le=1.0)
    max: float | None = Field(default=None, ge=-1.0, le=1.0)

    @model_validator(mode="after")
    def _something(self) -> SentimentCondition:
        if not self.labels and self.min is None and self.max is None:
            raise ValueError("give labels, min or max")
        return self


class HoursCondition(_Strict):
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


def _phrases(value: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for p in value:
        p = p.strip()
        if not p:
            raise ValueError("empty keyword")
        st = phrase_stems(p)
        if not st or all(s == "*" for s in st):
            raise ValueError(f"keyword {p!r} has no word in it")
        if st[0] == "*" or st[-1] == "*":
            raise ValueError(f"keyword {p!r} may not start or end with '*'")
        out.append(p)
    return tuple(out)


class When(_Strict):
    """Conditions: all given fields must hold; inside a list, any value may match."""

    platforms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    authors: tuple[str, ...] = Field(default=(), description="author ids or handles")
    keywords: tuple[str, ...] = Field(default=(), description="any of these words or phrases")
    exclude: tuple[str, ...] = Field(default=(), description="none of these words or phrases")
    sentiment: SentimentCondition | None = None
    rating: Range | None = None
    followers: Range | None = None
    verified: bool | None = None
    engagement: Range | None = Field(default=None, description="likes + shares + replies")
    views: Range | None = None
    personal_data: bool | None = None
    hours: HoursCondition | None = None
    intent: tuple[IntentName, ...] = Field(
        default=(),
        description="the classifier's intent for the post is one of these (a name or a list); "
        "a rule with an intent applies only when no rule without one matched",
    )
    min_confidence: float | None = Field(
        default=None, ge=0.0, le=1.0, description="and the classifier is at least this confident"
    )

    @field_validator("intent", mode="before")
    @classmethod
    def _one_intent(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _confidence_needs_intent(self) -> When:
        if self.min_confidence is not None and not self.intent:
            raise ValueError("min_confidence needs intent")
        return self

    @property
    def needs_intent(self) -> bool:
        return bool(self.intent)

    @field_validator("platforms")
    @classmethod
    def _platforms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [p for p in value if p not in PLATFORMS]
        if bad:
            raise ValueError(f"unknown platform {bad[0]!r}; one of {', '.join(PLATFORMS)}")
        return value

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [k for k in value if k not in KINDS]
        if bad:
            raise ValueError(f"unknown kind {bad[0]!r}; one of {', '.join(KINDS)}")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.lower() for v in value)

    @field_validator("keywords", "exclude")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _phrases(value)


class Then(_Strict):
    """Actions of a matching rule."""

    team: str = Field(min_length=1, max_length=64)
    collaborators: tuple[str, ...] = ()
    priority: Literal["P1", "P2", "P3", "P4"] = "P3"
    sla_minutes: int = Field(default=1440, ge=1, le=60 * 24 * 30)
    tags: tuple[str, ...] = ()
    approvals: tuple[str, ...] = Field(default=(), description="teams whose sign-off a reply needs")
    skills: tuple[str, ...] = Field(default=(), description="skills the assignee needs")
    never_alone: bool = Field(
        default=False, description="never the only open item in someone's queue (spam, trolls)"
    )
    fallback: bool = Field(default=False, description="applies only when no other rule matched")


class Rule(_Strict):
    id: str
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    enabled: bool = True
    when: When = Field(default_factory=When)
    then: Then

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError("lower-case letters, digits, '.', '_' or '-', at most 64")
        return value


class RuleProblem(_Strict):
    field: str
    reason: str


def check_rules(rules: Sequence[Rule], teams: Iterable[str]) -> list[RuleProblem]:
    """Checks that need more than one rule or the directory (unknown teams, duplicate ids)."""
    known = set(teams)
    problems: list[RuleProblem] = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        at = f"rules[{i}]"
        if rule.id in seen:
            problems.append(RuleProblem(field=f"{at}.id", reason=f"duplicate rule id {rule.id!r}"))
        seen.add(rule.id)
        if rule.then.team not in known:
            problems.append(
                RuleProblem(field=f"{at}.then.team", reason=f"unknown team {rule.then.team!r}")
            )
        for name in ("collaborators", "approvals"):
            for t in getattr(rule.then, name):
                if t not in known:
                    problems.append(
                        RuleProblem(field=f"{at}.then.{name}", reason=f"unknown team {t!r}")
                    )
    return problems
