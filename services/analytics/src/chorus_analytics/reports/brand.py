"""Brand activity against everyone else's: the brand's own posts and replies on the platforms
beside the posts that mention it, and how many cases the brand answered natively."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.stats import ratio
from chorus_analytics.handle_brand import NATIVE_STATUS
from chorus_analytics.reports.posts import totals_by
from chorus_analytics.reports.query import ReportQuery, bounded_rows, filters, time_range

B, R = models.brand_posts, models.replies


async def brand_vs_mentions(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Brand posts and the others' posts written in range, per platform; native replies sent
    in range (the caller's teams); brand posts per post of the others (None: no post)."""
    stmt = (
        select(B.c.platform, func.count())
        .where(*time_range(B.c.created_at, q), *filters(B, q))
        .group_by(B.c.platform)
    )
    brand = {str(k): int(n) for k, n in await bounded_rows(session, stmt, q, "platform")}
    others = await totals_by(session, q, "platform")
    native = select(func.count()).where(
        R.c.status == NATIVE_STATUS, *time_range(R.c.sent_at, q), *filters(R, q)
    )
    by_platform: dict[str, dict[str, int]] = defaultdict(lambda: {"brand": 0, "others": 0})
    for platform, n in brand.items():
        by_platform[platform]["brand"] = n
    for platform, n in others.items():
        by_platform[platform]["others"] = n
    brand_total, others_total = sum(brand.values()), sum(others.values())
    return {
        "brand_posts": brand_total,
        "mentions": others_total,
        "brand_per_mention": ratio(brand_total, others_total),
        "native_replies": int((await session.execute(native)).scalar_one()),
        "by_platform": dict(sorted(by_platform.items())),
    }


async def posts_by_origin(session: AsyncSession) -> dict[tuple[str, str], float]:
    """All-time posts per (platform, origin: ``brand`` or ``others``), for Prometheus."""
    out: dict[tuple[str, str], float] = {}
    rows = await session.execute(select(B.c.platform, func.count()).group_by(B.c.platform))
    for platform, n in rows.all():
        out[(str(platform), "brand")] = float(n)
    pb = models.post_buckets
    rows = await session.execute(
        select(pb.c.platform, func.sum(pb.c.posts)).where(pb.c.grain == "d").group_by(pb.c.platform)
    )
    for platform, n in rows.all():
        out[(str(platform), "others")] = float(n or 0)
    return out
