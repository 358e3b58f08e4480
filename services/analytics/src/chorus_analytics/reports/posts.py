"""Reports over posts: volume, engagement, sentiment, top authors, keywords."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chorus_common.contracts.timebuckets import as_utc, buckets
from sqlalchemy import Integer, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.stats import net_sentiment
from chorus_analytics.reports.query import (
    ReportQuery,
    bounded_rows,
    bucket_range,
    filters,
    iso,
    time_range,
)

PB = models.post_buckets
GROUPS = ("platform", "channel", "kind", "lang", "sentiment", "team")
ENGAGEMENT = ("likes", "shares", "replies", "views")


def _where(q: ReportQuery) -> Any:
    return and_(*bucket_range(PB, q), *filters(PB, q))


async def totals_by(session: AsyncSession, q: ReportQuery, dim: str) -> dict[str, int]:
    stmt = select(PB.c[dim], func.sum(PB.c.posts)).where(_where(q)).group_by(PB.c[dim])
    rows = await bounded_rows(session, stmt, q, dim if dim in ("platform", "channel") else "from")
    return {k: int(v) for k, v in sorted(rows, key=lambda r: -int(r[1])) if v}


async def volume(session: AsyncSession, q: ReportQuery, *, series: bool = True) -> dict[str, Any]:
    """Posts per bucket (optionally per group), plus totals by every dimension."""
    group = q.group_by if q.group_by in GROUPS else None
    rows: list[dict[str, Any]] = []
    if series and group:
        col = PB.c[group]
        stmt = (
            select(PB.c.bucket, col, func.sum(PB.c.posts))
            .where(_where(q))
            .group_by(PB.c.bucket, col)
            .order_by(PB.c.bucket, col)
        )
        res = await bounded_rows(session, stmt, q, "group_by")
        rows = [{"bucket": iso(r[0]), group: r[1], "posts": int(r[2])} for r in res if r[2]]
    elif series:
        stmt = (
            select(PB.c.bucket, func.sum(PB.c.posts))
            .where(_where(q))
            .group_by(PB.c.bucket)
            .order_by(PB.c.bucket)
        )
        counts = {as_utc(r[0]): int(r[1]) for r in await bounded_rows(session, stmt, q, "from")}
        rows = [
            {"bucket": iso(b), "posts": counts.get(b, 0)}
            for b in buckets(q.start, q.end, q.granularity)
        ]
    totals = {dim: await totals_by(session, q, dim) for dim in GROUPS}
    return {
        **q.meta("volume"),
        "group_by": group,
        "total": sum(totals["platform"].values()),
        "totals": totals,
        "rows": rows,
    }


async def reach(session: AsyncSession, q: ReportQuery) -> dict[str, int]:
    """Distinct authors in range and the sum of their (largest seen) follower counts."""
    p = models.posts
    per_author = (
        select(p.c.author_id, func.max(p.c.author_followers).label("f"))
        .where(*time_range(p.c.created_at, q), *filters(p, q))
        .group_by(p.c.author_id)
        .subquery()
    )
    n, total = (
        await session.execute(select(func.count(), func.coalesce(func.sum(per_author.c.f), 0)))
    ).one()
    return {"authors": int(n), "reach": int(total)}


async def engagement(
    session: AsyncSession, q: ReportQuery, *, series: bool = True
) -> dict[str, Any]:
    """Likes, shares, replies, views per bucket and post kind (brand posts vs mentions)."""
    group = q.group_by if q.group_by in GROUPS else "kind"
    sums = [func.sum(PB.c[m]) for m in ENGAGEMENT]
    keys = [PB.c.bucket, PB.c[group]] if series else [PB.c[group]]
    stmt = (
        select(*keys, func.sum(PB.c.posts), *sums).where(_where(q)).group_by(*keys).order_by(*keys)
    )
    rows = []
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("posts", *ENGAGEMENT), 0)
    )
    for r in await bounded_rows(session, stmt, q, "group_by"):
        bucket, (key, n, *values) = (r[0], r[1:]) if series else (None, r)
        row = {group: key, "posts": int(n)}
        row.update({m: int(v or 0) for m, v in zip(ENGAGEMENT, values, strict=True)})
        if series:
            rows.append({"bucket": iso(bucket), **row})
        for m in ("posts", *ENGAGEMENT):
            totals[key][m] += row[m]
    return {
        **q.meta("engagement"),
        "group_by": group,
        "totals": dict(totals),
        "authors": await reach(session, q),
        "rows": rows,
    }


async def sentiment(
    session: AsyncSession, q: ReportQuery, *, series: bool = True
) -> dict[str, Any]:
    """Positive/neutral/negative per bucket with net sentiment; net sentiment per channel."""
    keys = [PB.c.bucket, PB.c.channel, PB.c.sentiment] if series else [PB.c.channel, PB.c.sentiment]
    stmt = select(*keys, func.sum(PB.c.posts)).where(_where(q)).group_by(*keys)
    per_bucket: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in await bounded_rows(session, stmt, q, "channel"):
        b, channel, label, n = r if series else (None, *r)
        if series:
            per_bucket[as_utc(b)][label or "unknown"] += int(n)
        per_channel[channel][label or "unknown"] += int(n)
    labels = ("positive", "neutral", "negative", "unknown")
    rows = []
    for b in buckets(q.start, q.end, q.granularity) if series else ():
        c = per_bucket.get(b, {})
        rows.append({"bucket": iso(b), **{k: c.get(k, 0) for k in labels}, "net": net_sentiment(c)})
    channels = {
        ch: {**{k: c.get(k, 0) for k in labels}, "net": net_sentiment(c)}
        for ch, c in sorted(per_channel.items())
    }
    overall: dict[str, int] = defaultdict(int)
    for c in per_channel.values():
        for k, v in c.items():
            overall[k] += v
    return {
        **q.meta("sentiment"),
        "net": net_sentiment(overall),
        "channels": channels,
        "rows": rows,
    }


async def top_authors(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Most active authors, and the most followed (influencers), in range."""
    p = models.posts
    neg = func.sum(func.cast(p.c.sentiment == "negative", Integer))
    base = (
        select(
            p.c.author_id,
            func.max(p.c.author_handle),
            func.max(p.c.author_followers),
            func.count(),
            neg,
            func.sum(p.c.likes + p.c.shares + p.c.replies),
            func.max(p.c.platform),
        )
        .where(*time_range(p.c.created_at, q), *filters(p, q))
        .group_by(p.c.author_id)
    )

    def shape(r: Any) -> dict[str, Any]:
        return {
            "author_id": r[0],
            "handle": r[1],
            "followers": int(r[2] or 0),
            "posts": int(r[3]),
            "negative": int(r[4] or 0),
            "engagement": int(r[5] or 0),
            "platform": r[6],
        }

    active = await session.execute(base.order_by(func.count().desc(), p.c.author_id).limit(q.limit))
    influencers = await session.execute(
        base.order_by(func.max(p.c.author_followers).desc(), p.c.author_id).limit(q.limit)
    )
    return {
        **q.meta("top-authors"),
        "rows": [shape(r) for r in active.all()],
        "influencers": [shape(r) for r in influencers.all()],
    }


async def keywords(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Top keywords and hashtags (with their negative share) in range."""
    t, p = models.post_terms, models.posts
    neg = func.sum(func.cast(t.c.negative, Integer))
    stmt = select(t.c.term, func.count(), neg).where(*time_range(t.c.created_at, q), *filters(t, q))
    if q.platform:  # the one filter term rows do not carry
        stmt = stmt.join(p, p.c.post_id == t.c.post_id).where(p.c.platform == q.platform)
    stmt = stmt.group_by(t.c.term).order_by(func.count().desc(), t.c.term)

    def shape(r: Any) -> dict[str, Any]:
        return {"term": r[0], "posts": int(r[1]), "negative": int(r[2] or 0)}

    kw = await session.execute(stmt.where(~t.c.term.startswith("#")).limit(q.limit))
    tags = await session.execute(stmt.where(t.c.term.startswith("#")).limit(q.limit))
    kw_rows = [{"type": "keyword", **shape(r)} for r in kw.all()]
    tag_rows = [{"type": "hashtag", **shape(r)} for r in tags.all()]
    return {
        **q.meta("keywords"),
        "keywords": kw_rows,
        "hashtags": tag_rows,
        "rows": kw_rows + tag_rows,
    }
