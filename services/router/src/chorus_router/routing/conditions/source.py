"""Conditions on where a post comes from and who wrote it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chorus_common.contracts.events import PLATFORMS
from pydantic import Field, field_validator

from chorus_router.routing.conditions.base import Check, Condition, Strict, showing
from chorus_router.routing.postview import PostView

KINDS: tuple[str, ...] = ("post", "comment", "reply", "mention", "review", "dm", "email")


class SourceConditions(Strict):
    platforms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    authors: tuple[str, ...] = Field(default=(), description="author ids or handles")

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


def _one_of(
    name: str, allowed: Sequence[str], get: Callable[[PostView], str | None]
) -> Check | None:
    if not allowed:
        return None
    wanted = frozenset(allowed)

    def check(v: PostView) -> str | None:
        x = get(v)
        return None if x in wanted else f"{name}: {x} not in {sorted(wanted)}"

    return check


def _authors(w: SourceConditions) -> Check | None:
    if not w.authors:
        return None
    who = frozenset(a.lower().lstrip("@") for a in w.authors)

    def check(v: PostView) -> str | None:
        a = v.post.author
        ok = a.id.lower() in who or (a.handle or "").lower().lstrip("@") in who
        return None if ok else "authors: not a listed author"

    return check


def _platform(v: PostView) -> str:
    return v.post.platform


def _kind(v: PostView) -> str:
    return v.post.kind


def _channel(v: PostView) -> str:
    return v.post.channel


CONDITIONS: tuple[Condition[SourceConditions], ...] = (
    Condition(
        "platforms",
        "platform",
        lambda w: _one_of("platform", w.platforms, _platform),
        showing("platform", _platform),
    ),
    Condition("kinds", "kind", lambda w: _one_of("kind", w.kinds, _kind), showing("kind", _kind)),
    Condition(
        "languages",
        "language",
        lambda w: _one_of("language", w.languages, lambda v: (v.post.lang or "").lower()[:2]),
        showing("language", lambda v: v.post.lang),
    ),
    Condition(
        "channels",
        "channel",
        lambda w: _one_of("channel", w.channels, _channel),
        showing("channel", _channel),
    ),
    Condition(
        "authors",
        "authors",
        _authors,
        showing("authors", lambda v: v.post.author.handle or v.post.author.id),
    ),
)
