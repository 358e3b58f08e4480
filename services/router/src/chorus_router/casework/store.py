"""Case rows: reading and writing them in bulk, the load book, and case events from rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any

from chorus_common.contracts.events import CaseEvent
from chorus_common.persistence import bulk
from chorus_common.persistence.db import in_list, rows_with
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_router import models
from chorus_router.casework.case import Case
from chorus_router.casework.load import Load, LoadBook
from chorus_router.core import Uow
from chorus_router.snapshot import utc

CASE_COLUMNS = tuple(c.name for c in models.cases.columns)
MUTABLE = tuple(c for c in CASE_COLUMNS if c not in ("id", "thread_id", "platform", "opened_at"))
POST_COLUMNS = ("post_id", "case_id", "received_at", "revision")
_ROW = attrgetter(*CASE_COLUMNS)
_UPDATE_ROW = attrgetter("id", *MUTABLE)


def case_from_row(row: Mapping[Any, Any]) -> Case:
    """The case a ``router_cases`` row holds (datetimes in UTC; other keys are ignored)."""
    return Case(*[_utc(row[c]) for c in CASE_COLUMNS])


def _utc(value: Any) -> Any:
    return utc(value) if isinstance(value, datetime) else value


def case_row(case: Case) -> tuple[Any, ...]:
    """The case's values in ``CASE_COLUMNS`` order."""
    return _ROW(case)


def case_dict(case: Case) -> dict[str, Any]:
    """The case as a row mapping (column name -> value)."""
    return dict(zip(CASE_COLUMNS, _ROW(case), strict=True))


def payload(case: Case) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        thread_id=case.thread_id,
        status=case.status,
        team=case.team,
        collaborators=tuple(case.collaborators),
        assignee=case.assignee,
        previous_assignee=case.previous_assignee,
        priority=case.priority,
        sla_due_at=case.sla_due_at,
        tags=tuple(case.tags),
        approvals_required=tuple(case.approvals),
        platform=case.platform,
        channel=case.channel,
        post_ids=tuple(case.post_ids),
        latest_post_id=case.latest_post_id,
        post_received_at=case.post_received_at,
        opened_at=case.opened_at,
        reason=case.reason or None,
        decision=case.decision,
        version=case.version,
    )


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def payload_dict(case: Case) -> dict[str, Any]:
    """``payload(case).model_dump(mode="json")`` without the validation cost (hot path)."""
    return {
        "case_id": case.id,
        "thread_id": case.thread_id,
        "status": case.status,
        "team": case.team,
        "collaborators": list(case.collaborators),
        "assignee": case.assignee,
        "previous_assignee": case.previous_assignee,
        "priority": case.priority,
        "sla_due_at": _iso(case.sla_due_at),
        "tags": list(case.tags),
        "approvals_required": list(case.approvals),
        "platform": case.platform,
        "channel": case.channel,
        "post_ids": list(case.post_ids),
        "latest_post_id": case.latest_post_id,
        "post_received_at": _iso(case.post_received_at),
        "opened_at": _iso(case.opened_at),
        "reason": case.reason or None,
        "decision": case.decision,
        "version": case.version,
    }


def emit(
    uow: Uow,
    type_: str,
    case: Case,
    reason: str | None = None,
    trace_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record a change on ``case`` (version + 1) and stage its event (``extra``: optional
    ``CaseEvent`` fields, JSON-ready)."""
    case.changed(uow.now, reason)
    body = payload_dict(case) if extra is None else {**payload_dict(case), **extra}
    uow.emit_raw(type_, body, post_received_at=case.post_received_at, trace_id=trace_id)


async def fetch_case(session: AsyncSession, case_id: str) -> Case | None:
    t = models.cases
    row = (await session.execute(select(t).where(t.c.id == case_id))).mappings().first()
    return case_from_row(row) if row is not None else None


async def fetch_by_threads(
    session: AsyncSession, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Case]:
    """Cases of these (platform, thread) conversations: per platform, one query per 500
    threads on the unique (platform, thread_id) index (no index of its own on thread_id:
    with random thread ids it cost a random index page per new case)."""
    dialect = session.get_bind().dialect.name
    by_platform: dict[str, set[str]] = {}
    for platform, thread in keys:
        by_platform.setdefault(platform, set()).add(thread)
    out: dict[tuple[str, str], Case] = {}
    for platform, wanted in sorted(by_platform.items()):
        threads = sorted(wanted)
        for i in range(0, len(threads), 500):
            params = {"platform": platform, "threads": threads[i : i + 500]}
            for r in (await session.execute(by_threads(dialect), params)).mappings():
                out[(r["platform"], r["thread_id"])] = case_from_row(r)
    return out


@cache
def by_threads(dialect: str) -> Select[Any]:
    """The cases of one platform's threads (the thread list one parameter)."""
    t = models.cases
    return select(t).where(
        t.c.platform == bindparam("platform"), in_list(dialect, t.c.thread_id, "threads")
    )


_LOADS = select(models.loads)


async def known_posts(session: AsyncSession, post_ids: Sequence[str]) -> dict[str, str]:
    return {
        pid: case_id for pid, (case_id, _rev) in (await known_revisions(session, post_ids)).items()
    }


async def known_revisions(
    session: AsyncSession, post_ids: Sequence[str]
) -> dict[str, tuple[str, int]]:
    """The case and the newest revision applied of each known post."""
    out: dict[str, tuple[str, int]] = {}
    stmt = rows_with(
        session.get_bind().dialect.name, models.case_posts, "post_id", "case_id", "revision"
    )
    for i in range(0, len(post_ids), 500):
        rows = await session.execute(stmt, {"ids": list(post_ids[i : i + 500])})
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


_SET_REVISION = (
    update(models.case_posts)
    .where(
        models.case_posts.c.post_id == bindparam("b_id"),
        models.case_posts.c.revision < bindparam("b_rev"),
    )
    .values(revision=bindparam("b_rev"))
)


async def set_revisions(session: AsyncSession, revised: dict[str, int]) -> None:
    """Record the newest revision applied of edited posts (never lowering one)."""
    if revised:
        params = [{"b_id": pid, "b_rev": rev} for pid, rev in revised.items()]
        await session.execute(_SET_REVISION, params)


async def insert_cases(session: AsyncSession, dialect: str, rows: Sequence[Case]) -> None:
    """Insert new case rows (every column given: the bulk path applies no column defaults)."""
    await bulk.run(session, bulk.insert_rows(dialect, models.cases), [_ROW(c) for c in rows])


async def insert_case_posts(
    session: AsyncSession, dialect: str, rows: Sequence[tuple[str, str, datetime, int]]
) -> None:
    """Map posts to their case: rows of (post_id, case_id, received_at, revision)."""
    await bulk.run(session, bulk.insert_rows(dialect, models.case_posts, POST_COLUMNS), rows)


async def update_cases(session: AsyncSession, rows: Sequence[Case]) -> None:
    if not rows:
        return
    t = models.cases
    stmt = (
        update(t)
        .where(t.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in MUTABLE})
        .execution_options(synchronize_session=False)
    )
    conn = await session.connection()
    keys = ("_id", *MUTABLE)
    await conn.execute(stmt, [dict(zip(keys, _UPDATE_ROW(r), strict=True)) for r in rows])


async def add_case_teams(session: AsyncSession, dialect: str, cases: Iterable[Case]) -> None:
    """Add missing visibility rows (idempotent)."""
    rows = [(c.id, t) for c in cases for t in dict.fromkeys([c.team, *c.collaborators])]
    await bulk.run(
        session, bulk.insert_ignore(dialect, models.case_teams, ("case_id", "team")), rows
    )


async def sync_case_teams(session: AsyncSession, dialect: str, cases: Sequence[Case]) -> None:
    """Make the visibility rows match each case's owner and collaborators (edits, crises)."""
    if not cases:
        return
    t = models.case_teams
    await session.execute(delete(t).where(t.c.case_id.in_([c.id for c in cases])))
    await add_case_teams(session, dialect, cases)


async def load_book(session: AsyncSession) -> LoadBook:
    rows = (await session.execute(_LOADS)).mappings()
    return LoadBook.of(
        {
            r["member_id"]: Load(
                open_cases=r["open_cases"],
                weighted=r["weighted"],
                solid_cases=r["solid_cases"],
                assigned_total=r["assigned_total"],
                last_assigned=r["last_assigned"],
            )
            for r in rows
        }
    )


async def save_book(session: AsyncSession, dialect: str, book: LoadBook) -> None:
    """Write back the members whose load changed in this unit of work."""
    if not book.dirty:
        return
    rows = []
    for m in sorted(book.dirty):
        load = book.get(m)
        rows.append(
            {
                "member_id": m,
                "open_cases": load.open_cases,
                "weighted": load.weighted,
                "solid_cases": load.solid_cases,
                "assigned_total": load.assigned_total,
                "last_assigned": load.last_assigned,
            }
        )
    # Each dirty member's load as a whole: inserted, or replacing the stored one.
    await bulk.run_dicts(session, bulk.upsert_row(dialect, models.loads), rows)
    book.dirty.clear()
