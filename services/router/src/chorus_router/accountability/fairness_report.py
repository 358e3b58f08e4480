"""Team fairness now and over the current shift, and the Prometheus gauges that export it."""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from typing import Any

from chorus_common.metrics import Series
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.casework.fairness import (
    EPS,
    available_loads,
    figure,
    shift_start,
)
from chorus_router.casework.store import load_book
from chorus_router.core import RouterCore

INTERVENTIONS = ("refused", "beyond_bound")


class AccountabilityMetrics(Series):
    """Registered once per app on the runtime's registry; labels are bounded (team, outcome)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry)
        self.ratio = self.gauge(
            "chorus_router_fairness_ratio",
            "Most over least relative load among a team's members at work (NaN: someone idle)",
            ["team"],
        )
        self.gini = self.gauge(
            "chorus_router_fairness_gini",
            "Gini of relative load in a team now",
            ["team"],
        )
        self.shift_ratio = self.gauge(
            "chorus_router_fairness_shift_ratio",
            "Most over least relative load received this shift, per team",
            ["team"],
        )
        self.shift_gini = self.gauge(
            "chorus_router_fairness_shift_gini",
            "Gini of relative load received this shift, per team",
            ["team"],
        )
        self.within = self.gauge(
            "chorus_router_fairness_within_bound",
            "1 when every member at work is within the fairness bound",
            ["team"],
        )
        self.interventions = self.counter(
            "chorus_router_fairness_interventions_total",
            "Assignments the fairness guard refused (refused) or let through beyond the bound "
            "because nobody else could take the case (beyond_bound)",
            ["team", "outcome"],
        )
        self.moves = self.counter(
            "chorus_router_rebalanced_total",
            "Cases moved by availability changes (departure) or taken from the queue (return)",
            ["reason"],
        )
        self.idle = self.counter(
            "chorus_router_idle_owner_total",
            "Idle-owner actions: notice (owner warned), reassign, escalate (nobody else can)",
            ["action"],
        )

    def publish(self, report: dict[str, Any]) -> None:
        team = report["team"]
        nan = math.nan
        now, shift = report["now"], report["shift"]
        self.ratio.labels(team).set(nan if now["ratio"] is None else now["ratio"])
        self.gini.labels(team).set(now["gini"])
        self.shift_ratio.labels(team).set(nan if shift["ratio"] is None else shift["ratio"])
        self.shift_gini.labels(team).set(shift["gini"])
        self.within.labels(team).set(1.0 if now["within_bound"] else 0.0)
        for outcome in INTERVENTIONS:  # at zero from the team's first pass on
            self.interventions.labels(team, outcome)


def all_within_bound(loads: Mapping[str, float], bound: float) -> bool:
    """Whether ``casework.fairness.within_bound`` holds for every member, in one pass: the
    lightest colleague of each is the lightest member, or for that one the second lightest
    (asking each member about all the others took seconds for a team of thousands)."""
    if len(loads) < 2:
        return True
    (lightest, low), (_, second) = heapq.nsmallest(2, loads.items(), key=lambda kv: kv[1])
    return all(v <= bound * (second if m == lightest else low) + EPS for m, v in loads.items())


async def _received(session: AsyncSession, team: str, since: Any) -> dict[str, tuple[int, float]]:
    """Cases (count, weight) each member was handed in ``team`` since ``since``."""
    t = models.case_log
    rows = await session.execute(
        select(t.c.member, func.count(), func.sum(t.c.weight))
        .where(t.c.team == team, t.c.at >= since, t.c.handoff.is_(True), t.c.member.is_not(None))
        .group_by(t.c.member)
    )
    return {m: (int(n), float(w or 0.0)) for m, n, w in rows.all()}


async def _interventions(session: AsyncSession, team: str, since: Any) -> dict[str, int]:
    t = models.case_log
    rows = await session.execute(
        select(t.c.fairness, func.count())
        .where(t.c.team == team, t.c.at >= since, t.c.fairness.is_not(None))
        .group_by(t.c.fairness)
    )
    return {str(k): int(n) for k, n in rows.all()}


async def team_fairness(core: RouterCore, session: AsyncSession, team: str) -> dict[str, Any]:
    """The figure now (open load of members at work) and over the shift (load received)."""
    policy = core.settings.router_accountability
    per_case = core.settings.router_load_weights.per_case
    now = core.clock()
    snap = await core.cache.get(session)
    book = await load_book(session)
    d = snap.directory
    loads = available_loads(team, d, book, now, per_case)
    fig = figure(loads)
    start = shift_start(now, policy.shift_hours)
    received = await _received(session, team, start)
    caps = {m.id: m.capacity for m in d.members_of(team) if m.capacity > 0}
    shift_loads = {
        m: (received.get(m, (0, 0.0))[1] + per_case * received.get(m, (0, 0.0))[0]) / caps[m]
        for m in caps
        if m in loads or m in received
    }
    shift_fig = figure(shift_loads)
    return {
        "team": team,
        "as_of": now.isoformat(),
        "bound": policy.fairness_bound,
        "enforced": policy.fairness_enforced,
        "now": {
            **fig.as_dict(),
            "within_bound": all_within_bound(loads, policy.fairness_bound),
            "open_cases": {m: book.get(m).open_cases for m in sorted(loads)},
        },
        "shift": {
            "start": start.isoformat(),
            "hours": policy.shift_hours,
            **shift_fig.as_dict(),
            "cases_received": {m: received.get(m, (0, 0.0))[0] for m in sorted(shift_loads)},
            "interventions": await _interventions(session, team, start),
        },
    }
