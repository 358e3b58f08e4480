"""Conditions on a post's signals, its author's reach and its metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field, model_validator

from chorus_router.routing.conditions.base import Check, Condition, Strict, showing
from chorus_router.routing.postview import PostView


class Range(Strict):
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


class SentimentCondition(Strict):
    labels: tuple[Literal["negative", "neutral", "positive"], ...] = ()
    min: float | None = Field(default=None, ge=-1.0, le=1.0)
    max: float | None = Field(default=None, ge=-1.0, le=1.0)

    @model_validator(mode="after")
    def _something(self) -> SentimentCondition:
        if not self.labels and self.min is None and self.max is None:
            raise ValueError("give labels, min or max")
        return self


class SignalConditions(Strict):
    sentiment: SentimentCondition | None = None
    rating: Range | None = None
    followers: Range | None = None
    verified: bool | None = None
    engagement: Range | None = Field(default=None, description="likes + shares + replies")
    views: Range | None = None
    personal_data: bool | None = None


def _range(name: str, r: Range | None, get: Callable[[PostView], float | None]) -> Check | None:
    if r is None:
        return None

    def check(v: PostView) -> str | None:
        x = get(v)
        if x is None:
            return f"{name}: unknown"
        if r.min is not None and x < r.min:
            return f"{name}: {x:g} < {r.min:g}"
        if r.max is not None and x > r.max:
            return f"{name}: {x:g} > {r.max:g}"
        return None

    return check


def _flag(name: str, want: bool | None, get: Callable[[PostView], bool]) -> Check | None:
    if want is None:
        return None
    return lambda v: None if get(v) == want else f"{name}: not {want}"


def _sentiment(c: SentimentCondition | None) -> Check | None:
    if c is None:
        return None
    labels = frozenset(c.labels)

    def check(v: PostView) -> str | None:
        s = v.post.signals
        if labels and s.sentiment_label not in labels:
            return f"sentiment: {s.sentiment_label or 'unknown'} not in {sorted(labels)}"
        score = s.sentiment_score
        if c.min is not None and (score is None or score < c.min):
            return f"sentiment: score {score} < {c.min}"
        if c.max is not None and (score is None or score > c.max):
            return f"sentiment: score {score} > {c.max}"
        return None

    return check


def _rating(v: PostView) -> float | None:
    return v.post.rating


def _followers(v: PostView) -> float | None:
    return v.post.author.followers


def _engagement(v: PostView) -> float:
    return v.engagement


def _views(v: PostView) -> float | None:
    return v.post.metrics.views


def _verified(v: PostView) -> bool:
    return v.post.author.verified


def _personal_data(v: PostView) -> bool:
    return v.post.signals.personal_data


CONDITIONS: tuple[Condition[SignalConditions], ...] = (
    Condition(
        "sentiment",
        "sentiment",
        lambda w: _sentiment(w.sentiment),
        showing("sentiment", lambda v: v.post.signals.sentiment_label),
    ),
    Condition(
        "rating",
        "rating",
        lambda w: _range("rating", w.rating, _rating),
        showing("rating", _rating),
    ),
    Condition(
        "followers",
        "followers",
        lambda w: _range("followers", w.followers, _followers),
        showing("followers", _followers),
    ),
    Condition(
        "verified",
        "verified",
        lambda w: _flag("verified", w.verified, _verified),
        showing("verified", _verified),
    ),
    Condition(
        "engagement",
        "engagement",
        lambda w: _range("engagement", w.engagement, _engagement),
        showing("engagement", _engagement),
    ),
    Condition(
        "views", "views", lambda w: _range("views", w.views, _views), showing("views", _views)
    ),
    Condition(
        "personal_data",
        "personal_data",
        lambda w: _flag("personal_data", w.personal_data, _personal_data),
        showing("personal_data", _personal_data),
    ),
)
