"""Approval policies as data: which replies need whose sign-off, and who may give it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RequiredRole = Literal["member", "lead"]
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """What a case (and the post being answered) must show; ``match`` combines the set fields."""

    match: Literal["any", "all"] = "any"
    tags_any: tuple[str, ...] = ()
    approvals_any: tuple[str, ...] = ()
    priorities: tuple[Literal["P1", "P2", "P3", "P4"], ...] = ()
    rating_max: int | None = Field(default=None, ge=1, le=5)
    rating_min: int | None = Field(default=None, ge=1, le=5)
    kinds: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not any(
            (
                self.tags_any,
                self.approvals_any,
                self.priorities,
                self.rating_max is not None,
                self.rating_min is not None,
                self.kinds,
                self.platforms,
            )
        ):
            raise ValueError("a policy condition needs at least one field")
        return self


class Requirement(_Frozen):
    team: str = Field(min_length=1, max_length=64)
    role: RequiredRole = "member"

    @property
    def key(self) -> str:
        return f"{self.team}:{self.role}"


class Policy(_Frozen):
    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    when: Condition
    require: Requirement


@dataclass(frozen=True, slots=True)
class ReplyFacts:
    """What policies look at: the case as the responder knows it and the answered post."""

    tags: tuple[str, ...]
    approvals_required: tuple[str, ...]
    priority: str
    kind: str | None
    rating: int | None
    platform: str | None


@dataclass(frozen=True, slots=True)
class Needed:
    key: str
    team: str
    role: RequiredRole
    policy_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Approver:
    identity: str
    role: str
    teams: tuple[str, ...]


DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy(
        id="legal-signoff",
        name="Cases touching legal need a legal member's approval",
        when=Condition(tags_any=("legal",), approvals_any=("legal",)),
        require=Requirement(team="legal"),
    ),
    Policy(
        id="pr-lead-signoff",
        name="P1 and crisis cases need the PR lead's approval",
        when=Condition(priorities=("P1",), tags_any=("crisis",)),
        require=Requirement(team="pr", role="lead"),
    ),
    Policy(
        id="brand-low-rating",
        name="Replies to 1-2 star reviews need a brand member's approval",
        when=Condition(rating_max=2),
        require=Requirement(team="brand"),
    ),
)


def _lower(items: Iterable[str]) -> set[str]:
    return {i.strip().lower() for i in items}


def _checks(c: Condition, f: ReplyFacts) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    if c.tags_any:
        hit = _lower(c.tags_any) & _lower(f.tags)
        out.append((bool(hit), f"tagged {', '.join(sorted(hit))}"))
    if c.approvals_any:
        hit = _lower(c.approvals_any) & _lower(f.approvals_required)
        out.append((bool(hit), f"router requires approval by {', '.join(sorted(hit))}"))
    if c.priorities:
        out.append((f.priority in c.priorities, f"priority {f.priority}"))
    if c.rating_max is not None:
        ok = f.rating is not None and f.rating <= c.rating_max
        out.append((ok, f"rating {f.rating} <= {c.rating_max}"))
    if c.rating_min is not None:
        ok = f.rating is not None and f.rating >= c.rating_min
        out.append((ok, f"rating {f.rating} >= {c.rating_min}"))
    if c.kinds:
        out.append((f.kind in c.kinds, f"kind {f.kind}"))
    if c.platforms:
        out.append((f.platform in c.platforms, f"platform {f.platform}"))
    return out


def matches(c: Condition, f: ReplyFacts) -> str | None:
    """The reason the condition holds, or None."""
    checks = _checks(c, f)
    hits = [why for ok, why in checks if ok]
    if c.match == "all":
        return "; ".join(hits) if len(hits) == len(checks) else None
    return "; ".join(hits) if hits else None


def required_approvals(policies: Sequence[Policy], facts: ReplyFacts) -> tuple[Needed, ...]:
    """Every sign-off the reply needs, one per (team, role), with the policy that asks for it."""
    out: dict[str, Needed] = {}
    for p in policies:
        if not p.enabled:
            continue
        why = matches(p.when, facts)
        if why is not None and p.require.key not in out:
            out[p.require.key] = Needed(p.require.key, p.require.team, p.require.role, p.id, why)
    return tuple(out.values())


def satisfies(approver: Approver, team: str, role: str) -> bool:
    """Whether ``approver`` can give the (team, role) sign-off."""
    if team not in approver.teams:
        return False
    return role == "member" or approver.role == "lead"


def pending(needed: Sequence[Needed], approved_keys: Iterable[str]) -> tuple[Needed, ...]:
    done = set(approved_keys)
    return tuple(n for n in needed if n.key not in done)
