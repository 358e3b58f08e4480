"""Reports over event counts: replies (outcomes and approval turnaround), alerts, DLQ."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.stats import ratio, summarize
from chorus_analytics.domain.timebuckets import as_utc, buckets
from chorus_analytics.reports.query import ReportQuery, bucket_range, filters, iso, time_range

EB = models.event_buckets
REPLY_TYPES = ("drafted", "approval_requested", "approved", "rejected", "sent", "failed")


async def event_counts(
    session: AsyncSession, q: ReportQuery, prefix: str, by: str = "type"
) -> dict[str, int]:
    """Counts of events whose type starts with ``prefix``, per ``by`` column, in range."""
    res = await session.execute(
        select(EB.c[by], func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith(prefix))
        .group_by(EB.c[by])
    )
    return {k: int(v) for k, v in res.all() if v}


async def replies(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Reply events per bucket; per team: outcomes, send success rate, approval turnaround."""
    res = await session.execute(
        select(EB.c.bucket, EB.c.team, EB.c.type, func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith("reply."))
        .group_by(EB.c.bucket, EB.c.team, EB.c.type)
    )
    series: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    teams: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(REPLY_TYPES, 0))
    for b, team, type_, n in res.all():
        short = type_.removeprefix("reply.")
        series[as_utc(b)][short] += int(n)
        teams[team or "*unknown*"][short] += int(n)
    turnaround = await _turnaround(session, q)
    for team, t in teams.items():
        t["send_success_rate"] = ratio(t["sent"], t["sent"] + t["failed"])
        t["approval_turnaround"] = summarize(turnaround.get(team, []))
    rows = [
        {"bucket": iso(b), **{k: series.get(b, {}).get(k, 0) for k in REPLY_TYPES}}
        for b in buckets(q.start, q.end, q.granularity)
    ]
    everything = [v for vs in turnaround.values() for v in vs]
    failures = await event_counts(session, q, "reply.failed", by="detail")
    return {
        **q.meta("replies"),
        "teams": dict(sorted(teams.items())),
        "approval_turnaround": summarize(everything),
        "failures_by_code": failures,
        "rows": rows,
    }


async def _turnaround(session: AsyncSession, q: ReportQuery) -> dict[str, list[float]]:
    """Seconds from approval request to approval or rejection, per team, decided in range."""
    r = models.replies
    decided = func.coalesce(r.c.approved_at, r.c.rejected_at)
    res = await session.execute(
        select(r.c.team, r.c.approval_requested_at, decided).where(
            and_(r.c.approval_requested_at.is_not(None), decided.is_not(None)),
            *time_range(decided, q),
            *filters(r, q),
        )
    )
    out: dict[str, list[float]] = defaultdict(list)
    for team, asked, done in res.all():
        out[team or "*unknown*"].append(max(0.0, (as_utc(done) - as_utc(asked)).total_seconds()))
    return out


async def alerts(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Alerts by type and state, active buzz subjects, dead letters by source and code."""
    res = await session.execute(
        select(EB.c.type, EB.c.detail, func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith("alert."))
        .group_by(EB.c.type, EB.c.detail)
    )
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for type_, detail, n in res.all():
        by_type[type_][detail] = int(n)
    a = models.alert_state
    # Buzz subjects are channels and keywords of every team's posts: no team's own figures.
    state = (await session.execute(select(a).order_by(a.c.subject))).all() if q.everything else []
    active = [
        {
            "subject": s.subject,
            "kind": s.kind,
            "target": s.target,
            "rate": s.rate,
            "baseline": round(s.baseline, 3),
            "zscore": round(s.zscore, 2),
            "since": iso(s.changed_at),
        }
        for s in state
        if s.state == "raised"
    ]
    dlq = await event_counts(session, q, "dead_letter", by="detail")
    return {
        "alerts_total": sum(sum(v.values()) for v in by_type.values()),
        "by_type": dict(by_type),
        "buzz_active": active,
        "subjects_tracked": len(state),
        "dead_letters_total": sum(dlq.values()),
        "dead_letters": dlq,
    }
