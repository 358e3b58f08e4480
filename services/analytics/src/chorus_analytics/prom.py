"""Every analytics figure as Prometheus metrics, refreshed from the database periodically.

A custom collector (prom_families.py) serves the last snapshot, so a scrape never touches the
database; this module builds the snapshot and refreshes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import timedelta

from chorus_common.contracts.events import utcnow
from chorus_common.runtime import Runtime
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.known_series import zero_known
from chorus_analytics.prom_families import AnalyticsCollector, Snapshot
from chorus_analytics.reports import activity, brand, cases, posts
from chorus_analytics.reports.query import ReportQuery
from chorus_analytics.settings import AnalyticsSettings

log = logging.getLogger(__name__)
QUANTILES = (("median", "0.5"), ("p90", "0.9"), ("p99", "0.99"))


def _cap(values: dict[str, float], limit: int) -> dict[str, str]:
    """Map each value to itself if among the ``limit`` largest, else ``other``."""
    keep = {k for k, _ in sorted(values.items(), key=lambda kv: -kv[1])[:limit]}
    return {k: (k if k in keep else "other") or "unknown" for k in values}


async def build(session: AsyncSession, settings: AnalyticsSettings) -> Snapshot:
    s = Snapshot()
    await _posts(session, s, settings.metrics_max_channels)
    await _events(session, s)
    await _current(session, s)
    members = settings.metrics_member_series
    await _hands(session, s, settings.metrics_top_members if members else 0)
    await _last_day(session, s, members=members)
    zero_known(s.samples)
    s.set("refresh_timestamp_seconds", (), time.time())
    return s


async def _posts(session: AsyncSession, s: Snapshot, max_channels: int) -> None:
    """All-time post counts and engagement from the daily buckets."""
    pb = models.post_buckets
    res = await session.execute(
        select(
            pb.c.platform,
            pb.c.kind,
            pb.c.sentiment,
            pb.c.channel,
            pb.c.lang,
            pb.c.team,
            func.sum(pb.c.posts),
            func.sum(pb.c.likes),
            func.sum(pb.c.shares),
            func.sum(pb.c.replies),
            func.sum(pb.c.views),
        )
        .where(pb.c.grain == "d")
        .group_by(pb.c.platform, pb.c.kind, pb.c.sentiment, pb.c.channel, pb.c.lang, pb.c.team)
    )
    rows = res.all()
    by_channel: dict[str, float] = defaultdict(float)
    by_lang: dict[str, float] = defaultdict(float)
    for r in rows:
        by_channel[r.channel] += float(r[6] or 0)
        by_lang[r.lang] += float(r[6] or 0)
    ch = _cap(by_channel, max_channels)
    lang = _cap(by_lang, 30)
    for r in rows:
        n = float(r[6] or 0)
        s.add("posts", (r.platform, r.kind, r.sentiment or "unknown"), n)
        s.add("posts_by_channel", (ch[r.channel],), n)
        s.add("posts_by_language", (lang[r.lang],), n)
        s.add("posts_by_team", (r.team or "none",), n)
        if r.sentiment == "negative":
            s.add("negative_posts_by_channel", (ch[r.channel],), n)
        for metric, v in zip(posts.ENGAGEMENT, r[7:], strict=True):
            s.add("engagement", (r.kind, metric), float(v or 0))
    for labels, n in (await brand.posts_by_origin(session)).items():
        s.add("posts_by_origin", labels, n)


async def _events(session: AsyncSession, s: Snapshot) -> None:
    """All-time case, reply, alert and dead-letter event counts from the daily buckets."""
    eb = models.event_buckets
    ev = await session.execute(
        select(eb.c.type, eb.c.team, eb.c.priority, eb.c.detail, func.sum(eb.c.count))
        .where(eb.c.grain == "d")
        .group_by(eb.c.type, eb.c.team, eb.c.priority, eb.c.detail)
    )
    for type_, team, prio, detail, total in ev.all():
        n = float(total or 0)
        if type_.startswith("case."):
            s.add("case_events", (type_, team or "none", prio), n)
        elif type_.startswith("reply."):
            s.add("replies", (team or "none", type_.removeprefix("reply.")), n)
        elif type_.startswith("alert."):
            s.add("alerts", (type_, detail.split(":")[0]), n)
        elif type_ == "dead_letter":
            source, _, code = detail.partition("|")
            s.add("dead_letters", (source, code), n)


async def _current(session: AsyncSession, s: Snapshot) -> None:
    c, a = models.cases, models.alert_state
    res = await session.execute(
        select(c.c.team, c.c.priority, func.count())
        .where(c.c.status != "resolved")
        .group_by(c.c.team, c.c.priority)
    )
    for team, prio, n in res.all():
        s.set("cases_open", (team or "none", prio), n)
    for kind in ("channel", "keyword"):
        s.set("buzz_active", (kind,), 0)
    res = await session.execute(
        select(a.c.kind, func.count()).where(a.c.state == "raised").group_by(a.c.kind)
    )
    for kind, n in res.all():
        s.set("buzz_active", (kind,), n)


async def _hands(session: AsyncSession, s: Snapshot, top: int) -> None:
    """Time in hands per team and state; members only for the ``top`` holding most."""
    h, c = models.case_hands, models.cases
    res = await session.execute(
        select(h.c.team, h.c.member, h.c.state, func.sum(h.c.seconds)).group_by(
            h.c.team, h.c.member, h.c.state
        )
    )
    per_member: dict[tuple[str, str], float] = defaultdict(float)
    for team, member, state, seconds in res.all():
        s.add("time_in_hands_seconds", (team or "none", state), float(seconds or 0))
        if member:
            per_member[(team or "none", member)] += float(seconds or 0)
    for key, seconds in sorted(per_member.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        s.set("member_time_in_hands_seconds", key, seconds)
    moved = await session.execute(
        select(c.c.team, func.sum(c.c.handoffs)).where(c.c.handoffs.is_not(None)).group_by(c.c.team)
    )
    for team, n in moved.all():
        s.set("case_handoffs", (team or "none",), float(n or 0))


async def _last_day(session: AsyncSession, s: Snapshot, *, members: bool) -> None:
    now = utcnow()
    q = ReportQuery(start=now - timedelta(hours=24), end=now + timedelta(minutes=1), now=now)
    eng = await posts.engagement(session, q)
    s.set("authors_24h", (), eng["authors"]["authors"])
    s.set("author_reach_24h", (), eng["authors"]["reach"])
    for channel, v in (await posts.sentiment(session, q))["channels"].items():
        if v["net"] is not None:
            s.set("net_sentiment_24h", (channel,), v["net"])
    for r in (await cases.sla(session, q))["rows"]:
        if r["compliance_rate"] is not None:
            s.set("sla_compliance_ratio_24h", (r["team"] or "none",), r["compliance_rate"])
    for r in (await cases.responsiveness(session, q))["rows"]:
        for name in ("first_response", "resolution", "assignment"):
            for stat, quantile in QUANTILES:
                value = r.get(f"{name}_{stat}")
                if value is not None:
                    s.set(f"{name}_seconds_24h", (r["team"] or "none", quantile), value)
    turnaround = (await activity.replies(session, q))["approval_turnaround"]
    for stat, quantile in QUANTILES:
        if turnaround.get(stat) is not None:
            s.set("approval_turnaround_seconds_24h", (quantile,), turnaround[stat])
    work = await cases.workload(session, q)
    for r in work["rows"] if members else ():
        for state in ("open", "handled"):
            s.set("member_cases", (r["team"], r["member"], state), r[state])
    for team, v in work["teams"].items():
        for state in ("open", "handled"):
            s.set("workload_gini", (team, state), v[state]["gini"])
            s.set("workload_busiest_share", (team, state), v[state]["busiest_share"])


async def refresh(
    runtime: Runtime, settings: AnalyticsSettings, collector: AnalyticsCollector
) -> float:
    """Rebuild the snapshot; returns how long it took (seconds)."""
    started = time.perf_counter()
    async with runtime.sessionmaker() as session:
        snap = await build(session, settings)
    took = time.perf_counter() - started
    snap.set("refresh_duration_seconds", (), took)
    collector.snapshot = snap
    return took


def next_refresh_in(settings: AnalyticsSettings, took: float) -> float:
    """Seconds to wait before the next refresh: ``METRICS_REFRESH_SECONDS``, or longer when the
    last refresh took more than ``METRICS_REFRESH_MAX_SHARE`` of the cycle.

    The 24-hour figures are computed over the day's cases, so a refresh costs more as the
    day's volume grows; in a surge a fixed period would have the refresh compete with the
    consumer for the CPU. Stretching the period bounds its share.
    """
    share = settings.metrics_refresh_max_share
    if share <= 0 or share >= 1:
        return settings.metrics_refresh_seconds
    return max(settings.metrics_refresh_seconds, took * (1 - share) / share)


async def run_forever(
    runtime: Runtime, settings: AnalyticsSettings, collector: AnalyticsCollector
) -> None:
    """Background task: rebuild the snapshot every ``metrics_refresh_seconds`` (or less often
    when it is expensive, see :func:`next_refresh_in`)."""
    while True:
        took = 0.0
        try:
            took = await refresh(runtime, settings, collector)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("metrics refresh failed; will retry")
        await asyncio.sleep(next_refresh_in(settings, took))
