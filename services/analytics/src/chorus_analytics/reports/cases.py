"""Reports over cases: responsiveness, SLA compliance, workload fairness.

Percentiles, SLA outcomes and handled counts are computed by the database, so a report keeps
a few figures per group in memory, however many cases its range holds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chorus_common.contracts.timebuckets import as_utc
from sqlalchemy import DateTime, Select, and_, case, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from chorus_analytics import models
from chorus_analytics.domain.stats import busiest_share, gini, ratio, summarize_ranked
from chorus_analytics.reports.query import ReportQuery, bounded_rows, filters, time_range
from chorus_analytics.reports.sqlstats import seconds, summaries

C, R = models.cases, models.replies
CASE_GROUPS = ("team", "platform", "priority", "channel")
MEASURES = ("assignment", "first_response", "resolution")


def opened_cases(q: ReportQuery) -> Subquery:
    """Cases opened in range (filters apply) with their first sent reply."""
    first_sent = (
        select(func.min(R.c.sent_at))
        .where(R.c.case_id == C.c.case_id, R.c.sent_at.is_not(None))
        .scalar_subquery()
    )
    return (
        select(C, first_sent.label("first_sent"))
        .where(*time_range(C.c.opened_at, q), *filters(C, q))
        .subquery("opened")
    )


def _group(q: ReportQuery) -> str:
    return q.group_by if q.group_by in CASE_GROUPS else "team"


def _ordered(keys: Any) -> list[str]:
    return sorted(keys, key=lambda k: (k == "*", k))


async def responsiveness(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Time to assignment, first response and resolution (median/p90/p99) per group."""
    group = _group(q)
    o = opened_cases(q)
    g = func.coalesce(o.c[group], "")
    counts = {
        str(k): int(n)
        for k, n in await bounded_rows(session, select(g, func.count()).group_by(g), q, "group_by")
    }
    if counts:
        counts["*"] = sum(counts.values())
    values = {
        "assignment": seconds(
            func.coalesce(o.c.post_received_at, o.c.opened_at), o.c.first_assigned_at
        ),
        "first_response": seconds(o.c.opened_at, o.c.first_sent),
        "resolution": seconds(o.c.opened_at, o.c.resolved_at),
    }
    stats: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        stats[name] = await summaries(session, value, g, o, [])
        stats[name].update(await summaries(session, value, None, o, []))
    rows = []
    for key in _ordered(counts):
        out: dict[str, Any] = {group: "all" if key == "*" else key, "cases": counts[key]}
        for name in MEASURES:
            figures = stats[name].get(key) or summarize_ranked(0, 0.0, {})
            for stat, figure in figures.items():
                out[f"{name}_{stat}"] = figure
        rows.append(out)
    return {**q.meta("responsiveness"), "group_by": group, "unit": "seconds", "rows": rows}


def sla_outcome(o: Subquery, now: Any) -> Any:
    """met / breached / pending for a case with an SLA: breached if a breach was recorded,
    else met if answered or resolved by the due time, breached if done later or not done
    and past due, else pending."""
    due = o.c.sla_due_at
    return case(
        (o.c.sla_breached_at.is_not(None), "breached"),
        (or_(o.c.first_sent <= due, o.c.resolved_at <= due), "met"),
        (or_(o.c.first_sent.is_not(None), o.c.resolved_at.is_not(None)), "breached"),
        (literal(now, DateTime(timezone=True)) > due, "breached"),
        else_="pending",
    )


async def sla(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """SLA compliance (met / (met + breached)) and breaches per group."""
    group = _group(q)
    o = opened_cases(q)
    g = func.coalesce(o.c[group], "")
    outcome = sla_outcome(o, as_utc(q.now or q.end))
    stmt = select(g, outcome, func.count()).where(o.c.sla_due_at.is_not(None)).group_by(g, outcome)
    tally: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("met", "breached", "pending"), 0)
    )
    for key, result, n in await bounded_rows(session, stmt, q, "group_by"):
        for k in (str(key), "*"):
            tally[k][result] += int(n)
    rows = []
    for key in _ordered(tally):
        t = tally[key]
        rows.append(
            {
                group: "all" if key == "*" else key,
                "cases_with_sla": sum(t.values()),
                **t,
                "compliance_rate": ratio(t["met"], t["met"] + t["breached"]),
            }
        )
    return {**q.meta("sla"), "group_by": group, "rows": rows}


def fairness(loads: dict[str, int]) -> dict[str, Any]:
    values = list(loads.values())
    busiest = max(loads, key=lambda m: (loads[m], m)) if loads and sum(values) else None
    return {
        "members": len(values),
        "total": sum(values),
        "gini": round(gini(values), 4),
        "busiest_share": round(busiest_share(values), 4),
        "busiest_member": busiest,
    }


async def workload(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Open cases now and cases handled in range, per member and team, with concentration."""
    load: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"open": 0, "handled": 0})
    )
    m = models.members
    known = select(m.c.member_id, m.c.team).where(m.c.team != "", *filters(m, q))
    for member, team in await bounded_rows(session, known, q, "team"):
        load[team][member]
    open_rows = (
        select(C.c.team, C.c.assignee, func.count())
        .where(C.c.status != "resolved", C.c.assignee.is_not(None), *filters(C, q))
        .group_by(C.c.team, C.c.assignee)
    )
    for team, member, n in await bounded_rows(session, open_rows, q, "team"):
        load[team][member]["open"] += int(n)
    for team, member, n in await bounded_rows(session, _handled(q), q, "team"):
        load[team][member]["handled"] += int(n)
    rows = []
    teams: dict[str, Any] = {}
    for team in sorted(load):
        members = load[team]
        for member in sorted(members):
            rows.append({"team": team, "member": member, **members[member]})
        teams[team] = {
            "open": fairness({k: v["open"] for k, v in members.items()}),
            "handled": fairness({k: v["handled"] for k, v in members.items()}),
        }
    return {**q.meta("workload"), "teams": teams, "rows": rows}


def _handled(q: ReportQuery) -> Select[str, str, int]:
    """(team, member, cases) for the distinct cases a member resolved or replied to in range."""
    both = union(
        select(C.c.team, C.c.resolved_by.label("member"), C.c.case_id).where(
            C.c.resolved_by.is_not(None), *time_range(C.c.resolved_at, q), *filters(C, q)
        ),
        select(R.c.team, R.c.author_member_id, R.c.case_id).where(
            and_(R.c.author_member_id.is_not(None), *time_range(R.c.sent_at, q)),
            *filters(R, q),
        ),
    ).subquery("handled")
    return select(both.c.team, both.c.member, func.count()).group_by(both.c.team, both.c.member)
