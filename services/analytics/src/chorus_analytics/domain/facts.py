"""A post as analytics counts it, and what it contributes to the bucket tables.

Counting is done by contributions: a new post adds its contribution; an edit, or a post
whose case moves to another team, subtracts the old contribution and adds the new one. So
every aggregate stays exact whatever order the events arrive in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_analytics.domain.timebuckets import GRAIN_CODE, GRAINS, floor

Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class PostFact:
    post_id: str
    platform: str
    channel: str
    kind: str
    lang: str
    sentiment: str
    sentiment_score: float | None
    team: str
    created_at: datetime
    likes: int
    shares: int
    replies: int
    views: int
    terms: tuple[str, ...]

    @property
    def negative(self) -> bool:
        return self.sentiment == "negative"


class Deltas:
    """Per-key measure deltas for one table, summed so each key is written once."""

    def __init__(self, measures: Iterable[str]) -> None:
        self.measures = tuple(measures)
        self.rows: dict[Key, dict[str, float]] = defaultdict(
            lambda: dict.fromkeys(self.measures, 0)
        )

    def add(self, key: Key, values: Mapping[str, float], sign: int = 1) -> None:
        row = self.rows[key]
        for m, v in values.items():
            row[m] += sign * v

    def nonzero(self) -> list[tuple[Key, dict[str, float]]]:
        return [(k, v) for k, v in sorted(self.rows.items()) if any(x != 0 for x in v.values())]


def add_post(posts: Deltas, terms: Deltas, fact: PostFact, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) a post's contribution, in every grain."""
    measures = {
        "posts": 1,
        "likes": fact.likes,
        "shares": fact.shares,
        "replies": fact.replies,
        "views": fact.views,
        "sentiment_sum": fact.sentiment_score or 0.0,
    }
    neg = 1 if fact.negative else 0
    for grain in GRAINS:
        code, bucket = GRAIN_CODE[grain], floor(fact.created_at, grain)
        dims = (fact.platform, fact.channel, fact.kind, fact.lang, fact.sentiment, fact.team)
        posts.add((code, bucket, *dims), measures, sign)
        for term in fact.terms:
            terms.add((code, bucket, term, fact.channel), {"posts": 1, "negative": neg}, sign)


def add_event(events: Deltas, at: datetime, dims: tuple[str, str, str, str, str]) -> None:
    """Count one event (type, team, platform, priority, detail) in every grain."""
    for grain in GRAINS:
        events.add((GRAIN_CODE[grain], floor(at, grain), *dims), {"count": 1})
