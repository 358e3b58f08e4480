"""A post as analytics counts it, and what it contributes to the bucket tables.

Counting is done by contributions: a new post adds its contribution; an edit, or a post
whose case moves to another team, subtracts the old contribution and adds the new one. So
every aggregate stays exact whatever order the events arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus_analytics.domain.timebuckets import as_utc, floor

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


def fact_from_row(row: Mapping[str, Any]) -> PostFact:
    """The fact a stored ``analytics_posts`` row (as a mapping) counts for."""
    return PostFact(
        post_id=row["post_id"],
        platform=row["platform"],
        channel=row["channel"],
        kind=row["kind"],
        lang=row["lang"],
        sentiment=row["sentiment"],
        sentiment_score=row["sentiment_score"],
        team=row["team"],
        created_at=as_utc(row["created_at"]),
        likes=row["likes"],
        shares=row["shares"],
        replies=row["replies"],
        views=row["views"],
        terms=tuple(row["terms"]),
    )


class Deltas:
    """Measure deltas per (minute bucket, *dims), summed so each key is written once;
    :meth:`rows` rolls them up into the minute, hour and day grains."""

    def __init__(self, measures: Iterable[str]) -> None:
        self.measures = tuple(measures)
        self.minutes: dict[Key, list[float]] = {}

    def add(self, key: Key, values: Sequence[float], sign: int = 1) -> None:
        row = self.minutes.get(key)
        if row is None:
            self.minutes[key] = [sign * v for v in values]
        else:
            for i, v in enumerate(values):
                row[i] += sign * v

    def rows(self) -> list[tuple[Any, ...]]:
        """``(grain code, bucket, *dims, *measures)`` for every grain, all-zero rows left
        out, sorted (one lock order for every writer)."""
        out: dict[Key, list[float]] = {}
        for (minute, *dims), values in self.minutes.items():
            hour = minute.replace(minute=0)
            for key in (
                ("m", minute, *dims),
                ("h", hour, *dims),
                ("d", hour.replace(hour=0), *dims),
            ):
                row = out.get(key)
                if row is None:
                    out[key] = list(values)
                else:
                    for i, v in enumerate(values):
                        row[i] += v
        return [(*k, *v) for k, v in sorted(out.items()) if any(v)]


def add_post(posts: Deltas, terms: Deltas, fact: PostFact, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) a post's contribution, in every grain."""
    minute = floor(fact.created_at, "minute")
    measures = (
        1,
        fact.likes,
        fact.shares,
        fact.replies,
        fact.views,
        fact.sentiment_score or 0.0,
    )
    dims = (fact.platform, fact.channel, fact.kind, fact.lang, fact.sentiment, fact.team)
    posts.add((minute, *dims), measures, sign)
    counts = (1, 1 if fact.negative else 0)
    for term in fact.terms:
        terms.add((minute, term, fact.channel), counts, sign)


def add_event(events: Deltas, at: datetime, dims: tuple[str, str, str, str, str]) -> None:
    """Count one event (type, team, platform, priority, detail) in every grain."""
    events.add((floor(at, "minute"), *dims), (1,))
