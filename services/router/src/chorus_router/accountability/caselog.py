"""The case log, written inside every unit of work that changed a case, and what it feeds.

:func:`record` runs just before commit (``RouterCore.before_commit``): it logs each case
event of the unit (who holds the case, in which status, why), keeps the idle-owner watch,
moves first-response due times by the SLA pause policy, and adds the hand-off chain and
the time in hands to the case events themselves, so analytics gets the figures too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from chorus_common.contracts import topics
from chorus_common.persistence import bulk
from chorus_common.persistence.db import rows_with
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.accountability.history import (
    Entry,
    chain,
    is_handoff,
    time_in_hands,
)
from chorus_router.accountability.idle import OWNER_TURN
from chorus_router.casework.sla import OPEN_FOR_SLA, STATE_OF, paused_first_response
from chorus_router.core import Uow
from chorus_router.directory.roster import Directory
from chorus_router.snapshot import utc

CHUNK = 400


def holder_team(payload: dict[str, Any], directory: Directory) -> str:
    """The owner team, unless the assignee is not in it (a lead gave it to a collaborator)."""
    team = str(payload.get("team") or "")
    member = directory.members.get(payload.get("assignee") or "")
    if member is None or team in member.teams:
        return team
    involved = [t for t in payload.get("collaborators") or () if t in member.teams]
    return involved[0] if involved else (member.teams[0] if member.teams else team)


def _entry(row: Any) -> Entry:
    return Entry(
        at=utc(row.at) or row.at,
        seq=row.seq,
        event=row.event,
        status=row.status,
        team=row.team,
        member=row.member,
        reason=row.reason,
        handoff=row.handoff,
        weight=row.weight,
        fairness=row.fairness,
    )


_ENTRIES = (
    select(models.case_log)
    .where(models.case_log.c.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(models.case_log.c.seq)
)


async def load_entries(session: AsyncSession, case_ids: Sequence[str]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for i in range(0, len(case_ids), CHUNK):
        rows = await session.execute(_ENTRIES, {"ids": list(case_ids[i : i + CHUNK])})
        for r in rows:
            out.setdefault(r.case_id, []).append(_entry(r))
    return out


async def load_watch(session: AsyncSession, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    stmt = rows_with(session.get_bind().dialect.name, models.case_watch)
    for i in range(0, len(case_ids), CHUNK):
        rows = await session.execute(stmt, {"ids": list(case_ids[i : i + CHUNK])})
        for r in rows.mappings():
            out[r["case_id"]] = {
                **r,
                "since": utc(r["since"]),
                "noticed_at": utc(r["noticed_at"]),
            }
    return out


def _last_active(hist: Sequence[Entry]) -> Entry | None:
    return next((e for e in reversed(hist) if STATE_OF.get(e.status) is not None), None)


def _pause_start(hist: Sequence[Entry], paused: frozenset[str]) -> datetime | None:
    """When the run of paused entries at the end of ``hist`` began (None: not paused)."""
    start = None
    for e in reversed(hist):
        if e.status not in paused:
            break
        start = e.at
    return start


def accountability_fields(hist: Sequence[Entry], now: datetime) -> dict[str, Any]:
    """The optional CaseEvent fields: hand-off chain and cumulative time in hands."""
    return {
        "handoffs": [h.as_dict() for h in chain(hist)],
        "time_in_hands": [
            {"team": team, "member": member, "state": state, "seconds": round(secs, 3)}
            for (team, member, state), secs in sorted(
                time_in_hands(hist, now).items(),
                key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2]),
            )
        ],
        "time_in_hands_at": now.isoformat(),
    }


async def record(uow: Uow) -> list[tuple[str, str]]:
    """Log the unit's case events and derive watch/SLA/event figures; one row per (case,
    version), so a retried unit (rolled back as a whole) writes nothing twice. Returns the
    fairness guard's interventions (team, outcome) logged in this unit."""
    evs = [(i, e) for i, e in enumerate(uow.events) if e.topic == topics.CASES]
    if not evs:
        return []
    session, now = uow.session, uow.now
    policy = uow.core.settings.router_accountability
    directory = (await uow.core.cache.get(session)).directory
    opened = {e.payload["case_id"] for _, e in evs if e.type == "case.opened"}
    known = sorted({e.payload["case_id"] for _, e in evs} - opened)
    known_set = set(known)
    history = await load_entries(session, known)
    watch = await load_watch(session, known)
    stored = set(watch)
    paused = paused_first_response(policy.sla_paused_states)
    rows: list[dict[str, Any]] = []
    watch_put: dict[str, dict[str, Any]] = {}
    watch_drop: set[str] = set()
    resumed: dict[str, tuple[int, datetime]] = {}
    for i, e in evs:
        p = e.payload
        cid = p["case_id"]
        hist = history.setdefault(cid, [])
        prev = hist[-1] if hist else None
        entry = _entry_of(e.type, p, hist, directory, now)
        start = _pause_start(hist, paused)
        if start is not None and entry.status not in paused and entry.status in OPEN_FOR_SLA:
            resumed[cid] = (i, start)
        hist.append(entry)
        rows.append({"case_id": cid, **_row(entry)})
        _track_watch(watch, watch_put, watch_drop, cid, entry, prev)
        if cid in known_set:
            uow.events[i] = e.model_copy(
                update={"payload": {**p, **accountability_fields(hist, now)}}
            )
    await bulk.run_dicts(session, bulk.insert_rows(uow.core.runtime.dialect, models.case_log), rows)
    # Only rows loaded above can be stored: a case opened in this unit has none (cases are
    # never deleted), so a unit of new cases writes its watch rows without a DELETE first.
    stale = (watch_put.keys() | watch_drop) & stored
    await _save_watch(session, uow.core.runtime.dialect, watch_put, stale)
    if resumed:
        await _extend_due(uow, resumed)
    return [(r["team"], r["fairness"]) for r in rows if r["fairness"]]


def _entry_of(
    event: str, p: dict[str, Any], hist: Sequence[Entry], directory: Directory, now: datetime
) -> Entry:
    """The case log's entry for one case event (``hist``: the case's entries before it)."""
    team, member, status = holder_team(p, directory), p.get("assignee"), p["status"]
    active = STATE_OF.get(status) is not None
    handoff = active and is_handoff(_last_active(hist), team, member)
    verdict = ((p.get("decision") or {}).get("assignment") or {}).get("fairness") or {}
    outcome = verdict.get("outcome")
    return Entry(
        at=now,
        seq=int(p["version"]),
        event=event,
        status=status,
        team=team,
        member=member,
        reason=(p.get("reason") or "")[:500],
        handoff=handoff,
        weight=float((p.get("decision") or {}).get("weight") or 1.0),
        fairness=outcome if handoff and outcome in ("refused", "beyond_bound") else None,
    )


def _track_watch(
    watch: dict[str, dict[str, Any]],
    put: dict[str, dict[str, Any]],
    drop: set[str],
    cid: str,
    entry: Entry,
    prev: Entry | None,
) -> None:
    """Idle watch: the ball is in the owner's court since they got it or it came back."""
    w = watch.get(cid)
    member = entry.member
    if entry.status in OWNER_TURN and member:
        turned = prev is None or prev.status not in OWNER_TURN
        if w is None or w["owner"] != member or turned:
            watch[cid] = put[cid] = {
                "case_id": cid,
                "owner": member,
                "since": entry.at,
                "noticed_at": None,
            }
            drop.discard(cid)
    elif w is not None:
        watch.pop(cid)
        put.pop(cid, None)
        drop.add(cid)


def _row(e: Entry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at,
        "event": e.event,
        "status": e.status,
        "team": e.team,
        "member": e.member,
        "handoff": e.handoff,
        "weight": e.weight,
        "fairness": e.fairness,
        "reason": e.reason,
    }


async def _save_watch(
    session: AsyncSession, dialect: str, put: dict[str, dict[str, Any]], stale: Iterable[str]
) -> None:
    """Delete the ``stale`` stored rows, then insert the ``put`` ones."""
    t = models.case_watch
    ids = sorted(stale)
    for i in range(0, len(ids), CHUNK):
        await session.execute(delete(t).where(t.c.case_id.in_(ids[i : i + CHUNK])))
    await bulk.run_dicts(session, bulk.insert_rows(dialect, t), list(put.values()))


async def _extend_due(uow: Uow, resumed: dict[str, tuple[int, datetime]]) -> None:
    """A case leaves a paused state with its first response pending: the due time moves
    by the time spent paused (the event of the unit says so too)."""
    t = models.cases
    rows = await uow.session.execute(
        select(t.c.id, t.c.sla_due_at).where(
            t.c.id.in_(sorted(resumed)),
            t.c.first_response_at.is_(None),
            t.c.sla_breached_at.is_(None),
        )
    )
    for cid, due in rows.all():
        i, start = resumed[cid]
        new_due = (utc(due) or due) + max(timedelta(0), uow.now - start)
        await uow.session.execute(update(t).where(t.c.id == cid).values(sla_due_at=new_due))
        for j in range(i, len(uow.events)):
            ev = uow.events[j]
            if ev.topic == topics.CASES and ev.payload["case_id"] == cid:
                uow.events[j] = ev.model_copy(
                    update={"payload": {**ev.payload, "sla_due_at": new_due.isoformat()}}
                )
