"""Idle owners: warned first, then the case goes to someone else at the configured time (never
before); the lead is told. When nobody else can take it, it stays and the lead is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update

from chorus_router import models
from chorus_router.accountability import idle
from chorus_router.accountability.policy import AccountabilityPolicy
from chorus_router.casework.case import Case
from chorus_router.casework.service import Casework, notify, unbook
from chorus_router.casework.store import case_from_row, emit
from chorus_router.core import RouterCore
from chorus_router.snapshot import utc

BATCH = 500


@dataclass(slots=True)
class IdleOutcome:
    noticed: int = 0
    reassigned: int = 0
    escalated: int = 0


def _watched(now: datetime, notice_after: timedelta, reassign_after: timedelta) -> Select[Any]:
    """Only cases old enough to be due at the shortest limits (oldest first, by the index on
    ``since``): the pass does not read and sort every watched case each time."""
    c, w = models.cases, models.case_watch
    return (
        select(c, w.c.since.label("_since"), w.c.noticed_at.label("_noticed"))
        .join(w, w.c.case_id == c.c.id)
        .where(
            w.c.since <= now - notice_after,
            or_(w.c.noticed_at.is_(None), w.c.since <= now - reassign_after),
            # ``status || ''``: SQLite would otherwise walk every case of these statuses by
            # their index and sort them, instead of the watch rows by ``since``.
            (c.c.status + "").in_(sorted(idle.OWNER_TURN)),
            c.c.assignee == w.c.owner,
        )
        .order_by(w.c.since)
        .limit(BATCH)
    )


async def idle_once(core: RouterCore) -> IdleOutcome:
    """One pass over cases whose owner has the ball; idempotent per case (the watch row
    records the warning; a reassigned case gets a new owner and a new watch)."""
    policy = core.settings.router_accountability
    out = IdleOutcome()
    delays = idle.shortest_delays(policy)
    if delays is None:
        return out
    now = core.clock()
    watched = _watched(now, *delays)
    # A read first: the write unit (and its lock) only when something is due.
    async with core.runtime.sessionmaker() as session:
        due = [
            r
            for r in (await session.execute(watched)).mappings()
            if idle.verdict(utc(r["_since"]) or now, r["priority"], utc(r["_noticed"]), now, policy)
            != "wait"
        ]
    if not due:
        return out
    async with core.unit() as uow:
        rows = (await uow.session.execute(watched)).mappings()
        work = await Casework.open(uow)
        changed = []
        for row in rows:
            case = case_from_row(row)
            since, noticed = utc(row["_since"]), utc(row["_noticed"])
            assert since is not None
            v = idle.verdict(since, case.priority, noticed, uow.now, policy)
            if v == "notice":
                await _warn(work, case, since, policy)
                out.noticed += 1
            elif v != "wait" and await _take_away(work, case, policy):
                changed.append(case)
                out.reassigned += 1
            elif v != "wait":
                out.escalated += 1
        await work.save(changed)
    return out


async def _warn(work: Casework, case: Case, since: datetime, policy: AccountabilityPolicy) -> None:
    """Tell the owner when the case will go to a colleague (the watch row says it was told)."""
    uow, w = work.uow, models.case_watch
    limits = idle.deadlines(since, case.priority, policy)
    assert limits is not None
    await uow.session.execute(update(w).where(w.c.case_id == case.id).values(noticed_at=uow.now))
    notify(
        uow,
        case.assignee,
        "idle_warning",
        f"Case {case.id} ({case.priority}) waits for you; it goes to a colleague "
        f"at {limits[1].isoformat()} unless you act",
        case_id=case.id,
        reassign_at=limits[1].isoformat(),
    )


async def _take_away(work: Casework, case: Case, policy: AccountabilityPolicy) -> bool:
    """Give the case to a colleague (True), or keep it with its owner and ask the lead."""
    uow, w = work.uow, models.case_watch
    owner = case.assignee
    lead = work.snap.directory.lead_of(case.team)
    minutes = policy.idle_minutes[case.priority]
    unbook(work.book, case)
    choice = work.choose(case.need(), exclude=(owner,) if owner else ())
    if choice.member is None:
        # Nobody else can take it: it stays, the lead is asked, the clock restarts.
        work.book.carry(owner or "", case.weight, solid=not case.never_alone)
        await uow.session.execute(
            update(w).where(w.c.case_id == case.id).values(since=uow.now, noticed_at=None)
        )
        notify(
            uow,
            lead,
            "idle_escalated",
            f"{owner} has not acted on case {case.id} for {minutes:g} min and nobody "
            f"else in {case.team} can take it",
            case_id=case.id,
            owner=owner,
        )
        return False
    case.previous_assignee = owner
    work.place(case, choice, f"owner {owner} idle")
    emit(
        uow,
        "case.reassigned",
        case,
        reason=f"owner {owner} idle for {minutes:g} min ({case.priority} limit); "
        f"{choice.member}: {choice.reason}",
    )
    for who, kind in ((lead, "idle_reassigned"), (owner, "idle_taken")):
        notify(
            uow,
            who,
            kind,
            f"Case {case.id} went from {owner} to {choice.member}: no action for {minutes:g} min",
            case_id=case.id,
            owner=owner,
            to=choice.member,
        )
    return True
