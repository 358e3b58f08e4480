"""The summary: one non-empty figure per section, plus flat keys for the launcher."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chorus_common.contracts.events import utcnow
from chorus_common.contracts.timebuckets import as_utc, bucket_count, floor
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.reports import activity, brand, cases, hands, posts
from chorus_analytics.reports.query import ReportQuery, filters

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Nothing is counted later than this after now: a far-future `to` costs no buckets.
FUTURE = timedelta(days=1)


class RangeTooLong(ValueError):
    """The data inside the asked range spans more daily buckets than a report may build."""


def all_time(now: datetime | None = None) -> ReportQuery:
    end = (now or utcnow()) + FUTURE
    return ReportQuery(start=EPOCH, end=end, granularity="day", now=now)


async def bounded(session: AsyncSession, q: ReportQuery, max_buckets: int) -> ReportQuery:
    """``q`` narrowed to the data there is (first bucket to tomorrow), in the finest grain
    (hour, else day) whose bucket count fits ``max_buckets``; RangeTooLong if none does."""
    now = q.now or utcnow()
    firsts = [
        (await session.execute(select(func.min(t.c.bucket)))).scalar()
        for t in (models.post_buckets, models.event_buckets)
    ]
    first = min((as_utc(f) for f in firsts if f is not None), default=None)
    start = max(as_utc(q.start), floor(first, "day")) if first else as_utc(q.start)
    end = min(as_utc(q.end), now + FUTURE)
    if first is None or start >= end:
        start = end - timedelta(hours=1)  # no data inside: one empty hour, not a century
    for grain in ("hour", "day"):
        if bucket_count(start, end, grain) <= max_buckets:
            return replace(q, start=start, end=end, granularity=grain, now=now)
    raise RangeTooLong(
        f"the data from {start.date()} to {end.date()} spans "
        f"{bucket_count(start, end, 'day')} days; at most {max_buckets} per report"
    )


async def open_cases(session: AsyncSession, q: ReportQuery, by: str) -> dict[str, int]:
    """Cases not resolved now, per ``by`` (the caller's teams only)."""
    c = models.cases
    res = await session.execute(
        select(c.c[by], func.count())
        .where(c.c.status != "resolved", *filters(c, q))
        .group_by(c.c[by])
    )
    return {str(k or "unassigned"): int(n) for k, n in sorted(res.all())}


def _pick(stats: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: stats.get(n) for n in names}


async def summary(
    session: AsyncSession, q: ReportQuery, watch: dict[str, Any] | None = None
) -> dict[str, Any]:
    vol = await posts.volume(session, q, series=False)  # totals only: no row per bucket
    eng = await posts.engagement(session, q, series=False)
    sent = await posts.sentiment(session, q, series=False)
    resp = await cases.responsiveness(session, q)
    work = await cases.workload(session, q)
    sla = await cases.sla(session, q)
    rep = await activity.event_counts(session, q, "reply.")
    case_events = await activity.event_counts(session, q, "case.")
    alerts = await activity.alerts(session, q)
    kw = await posts.keywords(session, replace(q, limit=5))
    held = await hands.time_in_hands(session, q)
    open_by_team = await open_cases(session, q, "team")
    totals = vol["totals"]
    eng_totals = {m: sum(t[m] for t in eng["totals"].values()) for m in posts.ENGAGEMENT}
    turnaround = (await activity.turnaround(session, q, by_team=False))["*"]
    return {
        "from": q.meta("summary")["from"],
        "to": q.meta("summary")["to"],
        "scope": q.meta("summary")["scope"],
        "posts_total": vol["total"],
        "cases_open_by_team": open_by_team,
        "replies_sent": rep.get("reply.sent", 0),
        "replies_failed": rep.get("reply.failed", 0),
        "dead_letters_total": alerts["dead_letters_total"],
        "posts": {"total": vol["total"], **{f"by_{k}": v for k, v in totals.items()}},
        "engagement": {**eng_totals, **eng["authors"]},
        "cases": {
            "opened": case_events.get("case.opened", 0),
            "open": sum(open_by_team.values()),
            "open_by_team": open_by_team,
            "open_by_priority": await open_cases(session, q, "priority"),
            "resolved": case_events.get("case.resolved", 0),
            "sla_breaches": case_events.get("case.sla_breached", 0),
            "events": case_events,
        },
        "replies": {
            **{t.removeprefix("reply."): n for t, n in sorted(rep.items())},
            "approval_turnaround_median": turnaround["median"],
        },
        "sentiment": {
            "net": sent["net"],
            "by_label": totals["sentiment"],
            "net_by_channel": {ch: v["net"] for ch, v in sent["channels"].items()},
        },
        "responsiveness": _responsiveness(resp, sla),
        "fairness": _fairness(work),
        "time_in_hands": _time_in_hands(held),
        "alerts": {**alerts, "watch": (watch or {}) if q.everything else {}},
        "brand_activity": await brand.brand_vs_mentions(session, q),
        "top_keywords": kw["keywords"],
        "top_hashtags": kw["hashtags"],
    }


_RESPONSIVENESS = (
    "cases",
    "assignment_median",
    "assignment_p90",
    "first_response_median",
    "first_response_p90",
    "resolution_median",
)


def _responsiveness(resp: dict[str, Any], sla: dict[str, Any]) -> dict[str, Any]:
    rows = {r[resp["group_by"]]: r for r in resp["rows"]}
    fields = _RESPONSIVENESS
    return {
        "unit": "seconds",
        "all": _pick(rows.get("all", {}), *fields),
        "by_team": {k: _pick(v, *fields) for k, v in rows.items() if k != "all"},
        "sla": {r["team"]: _pick(r, "met", "breached", "compliance_rate") for r in sla["rows"]},
    }


def _fairness(work: dict[str, Any]) -> dict[str, Any]:
    return {
        team: {
            "members": v["open"]["members"],
            "open_gini": v["open"]["gini"],
            "open_busiest_share": v["open"]["busiest_share"],
            "handled_gini": v["handled"]["gini"],
        }
        for team, v in work["teams"].items()
    }


def _time_in_hands(held: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": "seconds",
        **{k: held[k] for k in ("cases", "handoffs", "team_handoffs", "handoffs_per_case")},
        "by_team": held["teams"],
        "by_member": held["members"],
    }
