"""A post as analytics counts it, and what it contributes to the bucket tables.

Counting is done by contributions: a new post adds its contribution; an edit, or a post
whose case moves to another team, subtracts the old contribution and adds the new one. So
every aggregate stays exact whatever order the events arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from chorus_common.contracts.timebuckets import as_utc, floor

Key = tuple[Any, ...]


class PostFact(NamedTuple):
    """Immutable; a named tuple because a batch builds one or two per post and a frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field) costs several times more."""

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
            self.minutes[key] = list(values) if sign == 1 else [-v for v in values]
        elif sign == 1:
            for i, v in enumerate(values):
                row[i] += v
        else:
            for i, v in enumerate(values):
                row[i] -= v

    def rows(self) -> list[tuple[Any, ...]]:
        """``(grain code, bucket, *dims, *measures)`` for every grain, all-zero rows left
        out, sorted (one lock order for every writer)."""
        hours: dict[Key, list[float]] = {}
        days: dict[Key, list[float]] = {}
        # A batch has far fewer distinct minutes than keys: roll each minute up once.
        grains: dict[datetime, tuple[datetime, datetime]] = {}
        for key, values in self.minutes.items():
            minute, dims = key[0], key[1:]
            up = grains.get(minute)
            if up is None:
                hour = minute.replace(minute=0)
                up = grains[minute] = (hour, hour.replace(hour=0))
            for sums, bucket in ((hours, up[0]), (days, up[1])):
                row = sums.get((bucket, *dims))
                if row is None:
                    sums[(bucket, *dims)] = list(values)
                else:
                    for i, v in enumerate(values):
                        row[i] += v
        # Sorted per grain, in grain-code order: the same order as sorting all rows at once.
        out: list[tuple[Any, ...]] = []
        for code, sums in (("d", days), ("h", hours), ("m", self.minutes)):
            out.extend((code, *k, *sums[k]) for k in sorted(sums) if any(sums[k]))
        return out


def add_post(posts: Deltas, terms: Deltas, fact: PostFact, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) a post's contribution, in every grain."""
    minute = fact.created_at.replace(second=0, microsecond=0)  # created_at is UTC already
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
