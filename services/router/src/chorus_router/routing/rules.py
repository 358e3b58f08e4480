"""Routing rules as data: the schema of one rule, and the checks that need the directory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import Field, field_validator

from chorus_router.routing.conditions import When
from chorus_router.routing.conditions.base import Strict

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Then(Strict):
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


class Rule(Strict):
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


class RuleProblem(Strict):
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
