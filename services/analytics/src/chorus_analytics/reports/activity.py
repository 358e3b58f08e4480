"""Reports over event counts: replies (outcomes and approval turnaround), alerts, DLQ."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chorus_common.contracts.timebuckets import as_utc, buckets
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.stats import ratio, summarize_ranked
from chorus_analytics.reports.query import (
    ReportQuery,
    bounded_rows,
    bucket_range,
    filters,
    iso,
    time_range,
)
from chorus_analytics.reports.sqlstats import Summary, seconds, summaries

EB = models.event_buckets
UNKNOWN = "*unknown*"  # replies whose team is not known
REPLY_TYPES = ("drafted", "approval_requested", "approved", "rejected", "sent", "failed")


async def event_counts(
    session: AsyncSession, q: ReportQuery, prefix: str, by: str = "type"
) -> dict[str, int]:
    """Counts of events whose type starts with ``prefix``, per ``by`` column, in range."""
    stmt = (
        select(EB.c[by], func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith(prefix))
        .group_by(EB.c[by])
    )
    return {k: int(v) for k, v in await bounded_rows(session, stmt, q, "from") if v}


async def replies(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Reply events per bucket; per team: outcomes, send success rate, approval turnaround."""
    stmt = (
        select(EB.c.bucket, EB.c.team, EB.c.type, func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith("reply."))
        .group_by(EB.c.bucket, EB.c.team, EB.c.type)
    )
    series: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    teams: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(REPLY_TYPES, 0))
    for b, team, type_, n in await bounded_rows(session, stmt, q, "granularity"):
        short = type_.removeprefix("reply.")
        series[as_utc(b)][short] += int(n)
        teams[team or UNKNOWN][short] += int(n)
    spans = await turnaround(session, q)
    for team, t in teams.items():
        t["send_success_rate"] = ratio(t["sent"], t["sent"] + t["failed"])
        t["approval_turnaround"] = spans.get(team) or summarize_ranked(0, 0.0, {})
    rows = [
        {"bucket": iso(b), **{k: series.get(b, {}).get(k, 0) for k in REPLY_TYPES}}
        for b in buckets(q.start, q.end, q.granularity)
    ]
    failures = await event_counts(session, q, "reply.failed", by="detail")
    return {
        **q.meta("replies"),
        "teams": dict(sorted(teams.items())),
        "approval_turnaround": spans.get("*") or summarize_ranked(0, 0.0, {}),
        "failures_by_code": failures,
        "rows": rows,
    }


async def turnaround(
    session: AsyncSession, q: ReportQuery, *, by_team: bool = True
) -> dict[str, Summary]:
    """Seconds from approval request to approval or rejection, decided in range: summaries
    per team (``by_team``) and over all (``"*"``), computed by the database."""
    r = models.replies
    decided = func.coalesce(r.c.approved_at, r.c.rejected_at)
    where = [
        r.c.approval_requested_at.is_not(None),
        decided.is_not(None),
        *time_range(decided, q),
        *filters(r, q),
    ]
    value = seconds(r.c.approval_requested_at, decided)
    out = await summaries(session, value, None, r, where)
    if by_team:
        team = case((r.c.team == "", UNKNOWN), else_=func.coalesce(r.c.team, UNKNOWN))
        out.update(await summaries(session, value, team, r, where))
    out.setdefault("*", summarize_ranked(0, 0.0, {}))
    return out


async def alerts(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Alerts by type and state, active buzz subjects, dead letters by source and code."""
    stmt = (
        select(EB.c.type, EB.c.detail, func.sum(EB.c.count))
        .where(*bucket_range(EB, q), *filters(EB, q), EB.c.type.startswith("alert."))
        .group_by(EB.c.type, EB.c.detail)
    )
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for type_, detail, n in await bounded_rows(session, stmt, q, "from"):
        by_type[type_][detail] = int(n)
    a = models.alert_state
    # Buzz subjects are channels and keywords of every team's posts: no team's own figures.
    listed = select(a).order_by(a.c.subject)
    state = await bounded_rows(session, listed, q, "from") if q.everything else []
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
