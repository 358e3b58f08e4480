"""Reports over cases: responsiveness, SLA compliance, workload fairness."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.stats import busiest_share, gini, ratio, summarize
from chorus_analytics.domain.timebuckets import as_utc
from chorus_analytics.reports.query import ReportQuery, filters, time_range

C, R = models.cases, models.replies
CASE_GROUPS = ("team", "platform", "priority", "channel")


def _secs(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (as_utc(b) - as_utc(a)).total_seconds())


async def case_rows(session: AsyncSession, q: ReportQuery) -> list[Any]:
    """Cases opened in range with their first sent reply (filters apply)."""
    first = (
        select(R.c.case_id, func.min(R.c.sent_at).label("first_sent"))
        .where(R.c.sent_at.is_not(None))
        .group_by(R.c.case_id)
        .subquery()
    )
    stmt = (
        select(C, first.c.first_sent)
        .outerjoin(first, first.c.case_id == C.c.case_id)
        .where(*time_range(C.c.opened_at, q), *filters(C, q))
    )
    return list((await session.execute(stmt)).all())


def _group_of(row: Any, group: str) -> str:
    return str(getattr(row, group) or "")


async def responsiveness(
    session: AsyncSession, q: ReportQuery, rows: list[Any] | None = None
) -> dict[str, Any]:
    """Time to assignment, first response and resolution (median/p90/p99) per group
    (``rows``: the :func:`case_rows` of ``q`` when the caller already has them)."""
    group = q.group_by if q.group_by in CASE_GROUPS else "team"
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, int] = defaultdict(int)
    for row in rows if rows is not None else await case_rows(session, q):
        for g in (_group_of(row, group), "*"):
            counts[g] += 1
            for name, value in (
                ("assignment", _secs(row.post_received_at or row.opened_at, row.first_assigned_at)),
                ("first_response", _secs(row.opened_at, row.first_sent)),
                ("resolution", _secs(row.opened_at, row.resolved_at)),
            ):
                if value is not None:
                    per[g][name].append(value)
    rows = []
    for g in sorted(counts, key=lambda k: (k == "*", k)):
        out: dict[str, Any] = {group: "all" if g == "*" else g, "cases": counts[g]}
        for name in ("assignment", "first_response", "resolution"):
            for stat, value in summarize(per[g][name]).items():
                out[f"{name}_{stat}"] = value
        rows.append(out)
    return {**q.meta("responsiveness"), "group_by": group, "unit": "seconds", "rows": rows}


def sla_outcome(row: Any, now: datetime) -> str | None:
    """met / breached / pending for a case with an SLA; None without one."""
    due = row.sla_due_at
    if due is None:
        return None
    due = as_utc(due)
    done = [as_utc(t) for t in (row.first_sent, row.resolved_at) if t is not None]
    if row.sla_breached_at is not None:
        return "breached"
    if done:
        return "met" if min(done) <= due else "breached"
    return "breached" if now > due else "pending"


async def sla(
    session: AsyncSession, q: ReportQuery, rows: list[Any] | None = None
) -> dict[str, Any]:
    """SLA compliance (met / (met + breached)) and breaches per group (``rows`` as in
    :func:`responsiveness`)."""
    group = q.group_by if q.group_by in CASE_GROUPS else "team"
    now = as_utc(q.now or q.end)
    tally: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("met", "breached", "pending"), 0)
    )
    for row in rows if rows is not None else await case_rows(session, q):
        outcome = sla_outcome(row, now)
        if outcome is not None:
            for g in (_group_of(row, group), "*"):
                tally[g][outcome] += 1
    rows = []
    for g in sorted(tally, key=lambda k: (k == "*", k)):
        t = tally[g]
        rows.append(
            {
                group: "all" if g == "*" else g,
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
    for member, team in (await session.execute(select(m.c.member_id, m.c.team))).all():
        if team and (not q.team or team == q.team) and (q.teams is None or team in q.teams):
            load[team][member]
    open_rows = await session.execute(
        select(C.c.team, C.c.assignee, func.count())
        .where(C.c.status != "resolved", C.c.assignee.is_not(None), *filters(C, q))
        .group_by(C.c.team, C.c.assignee)
    )
    for team, member, n in open_rows.all():
        load[team][member]["open"] += int(n)
    for team, member in await _handled(session, q):
        load[team][member]["handled"] += 1
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


async def _handled(session: AsyncSession, q: ReportQuery) -> Iterable[tuple[str, str]]:
    """(team, member) once per case a member resolved or replied to in range."""
    seen: set[tuple[str, str, str]] = set()
    resolved = await session.execute(
        select(C.c.team, C.c.resolved_by, C.c.case_id).where(
            C.c.resolved_by.is_not(None), *time_range(C.c.resolved_at, q), *filters(C, q)
        )
    )
    seen.update((t, mbr, c) for t, mbr, c in resolved.all())
    replied = await session.execute(
        select(R.c.team, R.c.author_member_id, R.c.case_id).where(
            R.c.author_member_id.is_not(None), *time_range(R.c.sent_at, q), *filters(R, q)
        )
    )
    seen.update((t, mbr, c) for t, mbr, c in replied.all())
    return [(t, mbr) for t, mbr, _ in sorted(seen)]
