"""Conditions on the words of a post: the phrases it must and must not contain."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field, field_validator

from chorus_router.routing.conditions.base import Check, Condition, Reason, Strict
from chorus_router.routing.postview import PostView
from chorus_router.routing.text import phrase_stems


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


class WordConditions(Strict):
    keywords: tuple[str, ...] = Field(default=(), description="any of these words or phrases")
    exclude: tuple[str, ...] = Field(default=(), description="none of these words or phrases")

    @field_validator("keywords", "exclude")
    @classmethod
    def _phrases_have_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _phrases(value)


def _keywords(phrases: Sequence[str], exclude: bool) -> Check | None:
    if not phrases:
        return None
    key_set = frozenset(phrase_stems(p) for p in phrases)

    def check(v: PostView) -> str | None:
        hit = not key_set.isdisjoint(v.found)
        if exclude:
            return "exclude: an excluded phrase is present" if hit else None
        return None if hit else "keywords: none present"

    return check


def _found(w: WordConditions) -> Reason:
    """The rule's phrases the post contains (the first five)."""
    keys = tuple(phrase_stems(p) for p in w.keywords)

    def reason(v: PostView) -> str:
        found = [v.labels.get(k, " ".join(k)) for k in keys if k in v.found]
        return "keywords: " + ", ".join(repr(f) for f in found[:5])

    return reason


CONDITIONS: tuple[Condition[WordConditions], ...] = (
    Condition("keywords", "keywords", lambda w: _keywords(w.keywords, exclude=False), _found),
    Condition("exclude", "exclude", lambda w: _keywords(w.exclude, exclude=True), None),
)
