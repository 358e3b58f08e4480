"""Availability changes, acted on: a member away long enough has their open cases moved; a
member back at work takes from the queue, oldest first, up to capacity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chorus_common.persistence.db import insert_ignore
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.accountability.policy import AccountabilityPolicy
from chorus_router.accountability.rebalance import (
    Assignment,
    OpenCase,
    redistribute,
    take_back,
)
from chorus_router.casework.assignment import Choice
from chorus_router.casework.case import Case
from chorus_router.casework.lifecycle import LOADED
from chorus_router.casework.service import Casework, notify
from chorus_router.casework.store import case_from_row, emit
from chorus_router.core import RouterCore, Uow
from chorus_router.directory.roster import Directory, back_at_work, presence_of
from chorus_router.snapshot import utc

QUEUE_LOOKAHEAD = 500


@dataclass(slots=True)
class Outcome:
    changed: dict[str, str] = field(default_factory=dict)
    moved: int = 0
    queued: int = 0
    taken_back: int = 0


def how(core: RouterCore) -> Assignment:
    p = core.settings.router_accountability
    return Assignment(
        per_case=core.settings.router_load_weights.per_case,
        bound=p.fairness_bound,
        enforced=p.fairness_enforced,
    )


def open_case(case: Case) -> OpenCase:
    return OpenCase(case.id, case.need(), case.priority, case.opened_at, case.assignee)


def apply(uow: Uow, case: Case, choice: Choice, note: str) -> None:
    """Record ``choice`` on the case (the load book was already updated by the plan)."""
    case.place(choice, uow.now, note)
    if choice.member is None:
        uow.release_teams.add(case.team)


def _leaving(
    states: dict[str, str],
    since: dict[str, datetime],
    now: datetime,
    policy: AccountabilityPolicy,
) -> dict[str, str]:
    out = {}
    for m, state in states.items():
        grace = policy.rebalance_after_minutes.get(state)
        if (
            state != "available"
            and grace is not None
            and since[m] + timedelta(minutes=grace) <= now
        ):
            out[m] = state
    return out


async def _carried(uow: Uow, members: list[str], statuses: list[str]) -> list[Case]:
    t = models.cases
    rows = await uow.session.execute(
        select(t).where(t.c.assignee.in_(members), t.c.status.in_(statuses))
    )
    return [case_from_row(r) for r in rows.mappings()]


@dataclass(slots=True)
class _Seen:
    """Presence as recorded, as it is now, and who has been away past their grace."""

    stored: dict[str, tuple[str, datetime | None]]
    changed: dict[str, str]
    leaving: dict[str, str]
    directory: Directory


async def _observe(core: RouterCore, session: AsyncSession, now: datetime) -> _Seen:
    policy = core.settings.router_accountability
    directory = (await core.cache.get(session)).directory
    stored = {
        r.member_id: (r.state, utc(r.since))
        for r in (await session.execute(select(models.presence))).all()
    }
    states = {m.id: presence_of(m, now) for m in directory.members.values()}
    changed = {m: s for m, s in states.items() if stored.get(m, ("",))[0] != s}
    since = {m: now if m in changed else (stored[m][1] or now) for m in states}
    return _Seen(stored, changed, _leaving(states, since, now, policy), directory)


async def _due(core: RouterCore, statuses: list[str]) -> bool:
    """Has presence changed, or does someone away past their grace still hold cases?"""
    async with core.runtime.sessionmaker() as session:
        seen = await _observe(core, session, core.clock())
        if seen.changed:
            return True
        if not seen.leaving:
            return False
        t = models.cases
        busy = await session.execute(
            select(t.c.id)
            .where(t.c.assignee.in_(sorted(seen.leaving)), t.c.status.in_(statuses))
            .limit(1)
        )
        return busy.first() is not None


async def rebalance_once(core: RouterCore) -> Outcome:
    """Observe presence, then move and take back cases; idempotent (a change is recorded once;
    a moved case is no longer the leaver's; a taken case is no longer queued)."""
    policy = core.settings.router_accountability
    statuses = sorted(set(policy.rebalance_statuses) & LOADED)
    # A read first: the write unit (and its lock) only when there is something to do.
    if not await _due(core, statuses):
        return Outcome()
    async with core.unit() as uow:
        # Observed again under the lock: a concurrent pass (this instance's or another's) may
        # have recorded the change since the read; recording it again restarts the grace.
        seen = await _observe(core, uow.session, uow.now)
        out = Outcome(changed=seen.changed)
        recorded = {m: s for m, (s, _) in seen.stored.items()}
        returning = back_at_work(recorded, seen.directory.members, uow.now)
        await _save_presence(uow, seen.changed, seen.stored)
        work = await Casework.open(uow)
        touched: dict[str, Case] = {}
        for m, state in sorted(seen.leaving.items()):
            await _move_away(uow, work, m, state, statuses, touched, out)
        if policy.return_from_queue:
            for m in sorted(returning):
                await _take_back(uow, work, m, touched, out)
        await work.save(list(touched.values()))
    return out


async def _save_presence(uow: Uow, changed: dict[str, str], stored: dict[str, Any]) -> None:
    if not changed:
        return
    t = models.presence
    fresh = [
        {"member_id": m, "state": s, "since": uow.now}
        for m, s in changed.items()
        if m not in stored
    ]
    if fresh:
        await uow.session.execute(insert_ignore(uow.core.runtime.dialect, t, fresh, ["member_id"]))
    for m, s in changed.items():
        if m in stored:
            await uow.session.execute(
                update(t).where(t.c.member_id == m).values(state=s, since=uow.now)
            )


async def _move_away(
    uow: Uow,
    work: Casework,
    member: str,
    state: str,
    statuses: list[str],
    touched: dict[str, Case],
    out: Outcome,
) -> None:
    cases = {c.id: c for c in await _carried(uow, [member], statuses)}
    if not cases:
        return
    plan = redistribute(
        [open_case(c) for c in cases.values()],
        member,
        work.snap.directory,
        work.book,
        uow.now,
        how(uow.core),
    )
    label = state.replace("_", " ")
    for oc, choice in plan:
        case = cases[oc.id]
        case.previous_assignee = member
        apply(uow, case, choice, f"rebalanced: {member} {label}")
        who = choice.member or "the team queue"
        emit(
            uow,
            "case.reassigned",
            case,
            reason=f"{member} is {label}; moved to {who}: {choice.reason}",
        )
        touched[case.id] = case
        out.moved += 1 if choice.member else 0
        out.queued += 0 if choice.member else 1
    lead_teams = {c.team for c in cases.values()}
    for team in sorted(lead_teams):
        notify(
            uow,
            work.snap.directory.lead_of(team),
            "rebalanced",
            f"{member} is {label}: {len(cases)} open case(s) redistributed",
            departed=member,
            state=state,
            cases=sorted(c.id for c in cases.values() if c.team == team),
        )


async def _take_back(
    uow: Uow, work: Casework, member: str, touched: dict[str, Case], out: Outcome
) -> None:
    m = work.snap.directory.members.get(member)
    if m is None:
        return
    t = models.cases
    rows = await uow.session.execute(
        select(t)
        .where(t.c.status == "queued", t.c.team.in_(list(m.teams)))
        .order_by(t.c.opened_at, t.c.id)
        .limit(QUEUE_LOOKAHEAD)
    )
    queue = {r["id"]: case_from_row(r) for r in rows.mappings()}
    plan = take_back(
        member,
        [open_case(c) for c in queue.values()],
        work.snap.directory,
        work.book,
        uow.now,
        how(uow.core),
    )
    for oc, choice in plan:
        case = queue[oc.id]
        apply(uow, case, choice, f"{member} back at work: oldest queued first")
        emit(
            uow,
            "case.assigned",
            case,
            reason=f"{member} back at work: takes the oldest queued case",
        )
        touched[case.id] = case
        out.taken_back += 1
