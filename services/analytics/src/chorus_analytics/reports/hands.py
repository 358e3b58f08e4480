"""Time in hands: seconds cases spent with each team and member, per state, and hand-offs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.hands import STATES
from chorus_analytics.reports.query import ReportQuery, bounded_rows, time_range


def held_by(q: ReportQuery) -> list[ColumnElement[bool]]:
    """Time-in-hands rows of the asked team and of the caller's teams."""
    h = models.case_hands
    return [
        *([h.c.team == q.team] if q.team else []),
        *([h.c.team.in_(q.teams)] if q.teams is not None else []),
    ]


def _blank() -> dict[str, Any]:
    return {**dict.fromkeys(STATES, 0.0), "total": 0.0, "cases": 0}


def _add(into: dict[str, Any], state: str, seconds: float) -> None:
    into[state] = into.get(state, 0.0) + seconds
    into["total"] += seconds


async def time_in_hands(session: AsyncSession, q: ReportQuery) -> dict[str, Any]:
    """Seconds in hands per team and per member (open / waiting approval / waiting customer),
    summed over the cases opened in [from, to), each at its newest known figures; hand-offs
    per case. ``team`` keeps the time spent in that team (and those cases' hand-offs)."""
    h, c = models.case_hands, models.cases
    in_range = [c.c.hands_version.is_not(None), *time_range(c.c.opened_at, q)]
    held = h.join(c, c.c.case_id == h.c.case_id)
    cond = [*in_range, *held_by(q)]
    teams: dict[str, dict[str, Any]] = defaultdict(_blank)
    pairs: dict[tuple[str, str], dict[str, Any]] = defaultdict(_blank)
    people: dict[str, dict[str, Any]] = defaultdict(_blank)
    keys = (h.c.team, h.c.member, h.c.state)
    sums = select(*keys, func.sum(h.c.seconds)).select_from(held).where(*cond).group_by(*keys)
    for team, member, state, secs in await bounded_rows(session, sums, q, "team"):
        _add(teams[team], state, float(secs))
        _add(pairs[(team, member)], state, float(secs))
        if member:  # the team queue is nobody's hands
            _add(people[member], state, float(secs))
    # Distinct cases per team, per (team, member) and per member, counted by the database.
    for key, n in await _cases(session, q, held, cond, h.c.team):
        teams[key[0]]["cases"] = n
    for key, n in await _cases(session, q, held, cond, h.c.team, h.c.member):
        pairs[(key[0], key[1])]["cases"] = n
    for key, n in await _cases(session, q, held, [*cond, h.c.member != ""], h.c.member):
        people[key[0]]["cases"] = n
    handoffs = await _handoffs(session, q, in_range)
    rows = [
        {
            "team": t,
            "member": m or None,
            **{s: v[s] for s in STATES},
            "total": v["total"],
            "cases": v["cases"],
        }
        for (t, m), v in sorted(pairs.items())
    ]
    return {
        **q.meta("time-in-hands"),
        "unit": "seconds",
        **handoffs,
        "teams": dict(sorted(teams.items())),
        "members": dict(sorted(people.items())),
        "rows": rows,
    }


async def _cases(
    session: AsyncSession, q: ReportQuery, held: Any, cond: list[Any], *by: Any
) -> list[tuple[tuple[str, ...], int]]:
    stmt = select(*by, func.count(models.case_hands.c.case_id.distinct()))
    rows = await bounded_rows(session, stmt.select_from(held).where(*cond).group_by(*by), q, "team")
    return [(tuple(r[:-1]), int(r[-1])) for r in rows]


async def _handoffs(session: AsyncSession, q: ReportQuery, in_range: list[Any]) -> dict[str, Any]:
    h, c = models.case_hands, models.cases
    stmt = select(func.count(), func.sum(c.c.handoffs), func.sum(c.c.team_handoffs)).where(
        *in_range
    )
    if q.team or q.teams is not None:
        stmt = stmt.where(c.c.case_id.in_(select(h.c.case_id).where(*held_by(q))))
    n, handoffs, team_handoffs = (await session.execute(stmt)).one()
    return {
        "cases": int(n or 0),
        "handoffs": int(handoffs or 0),
        "team_handoffs": int(team_handoffs or 0),
        "handoffs_per_case": round(float(handoffs or 0) / n, 3) if n else None,
    }
