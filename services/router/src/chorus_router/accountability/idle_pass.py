"""Idle owners: warned first, then the case goes to someone else at the configured time (never
before); the lead is told. When nobody else can take it, it stays and the lead is asked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from chorus_router import models
from chorus_router.accountability import idle
from chorus_router.cases.store import case_from_row, emit
from chorus_router.casework.service import Casework, notify, unbook
from chorus_router.core import RouterCore
from chorus_router.snapshot import utc

BATCH = 500


@dataclass(slots=True)
class IdleOutcome:
    noticed: int = 0
    reassigned: int = 0
    escalated: int = 0


async def idle_once(core: RouterCore) -> IdleOutcome:
    """One pass over cases whose owner has the ball; idempotent per case (the watch row
    records the warning; a reassigned case gets a new owner and a new watch)."""
    policy = core.settings.router_accountability
    out = IdleOutcome()
    delays = idle.shortest_delays(policy)
    if delays is None:
        return out
    notice_after, reassign_after = delays
    now = core.clock()
    c, w = models.cases, models.case_watch
    # Only cases old enough to be due at the shortest limits (oldest first, by the index on
    # ``since``): the pass no longer reads and sorts every watched case each time.
    watched = (
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
            if v == "wait":
                continue
            owner = case.assignee
            limits = idle.deadlines(since, case.priority, policy)
            assert limits is not None
            lead = work.snap.directory.lead_of(case.team)
            if v == "notice":
                await uow.session.execute(
                    update(w).where(w.c.case_id == case.id).values(noticed_at=uow.now)
                )
                notify(
                    uow,
                    owner,
                    "idle_warning",
                    f"Case {case.id} ({case.priority}) waits for you; it goes to a colleague "
                    f"at {limits[1].isoformat()} unless you act",
                    case_id=case.id,
                    reassign_at=limits[1].isoformat(),
                )
                out.noticed += 1
                continue
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
                out.escalated += 1
                continue
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
                    f"Case {case.id} went from {owner} to {choice.member}: no action for "
                    f"{minutes:g} min",
                    case_id=case.id,
                    owner=owner,
                    to=choice.member,
                )
            changed.append(case)
            out.reassigned += 1
        await work.save(changed)
    return out
