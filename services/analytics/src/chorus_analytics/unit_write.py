"""Write a batch's :class:`~chorus_analytics.unit.Unit`: one executemany per table, rows in
primary-key order (the same lock order for every writer), inside the batch's transaction."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from chorus_analytics import models, store
from chorus_analytics.bulk import executemany
from chorus_analytics.unit import IN_CHUNK, Unit


def _insert(dialect: str, table: Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def upsert_row(dialect: str, table: Table) -> Any:
    """``INSERT … ON CONFLICT (pk) DO UPDATE SET every column = excluded``: the row as the
    batch computed it from what it read."""
    ins = _insert(dialect, table)
    keys = [c.name for c in table.primary_key.columns]
    return ins.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: ins.excluded[c.name] for c in table.columns if c.name not in keys},
    )


@cache
def upsert_member(dialect: str) -> Any:
    """A member's latest team; the condition keeps it monotonic under concurrent writers."""
    t = models.members
    ins = _insert(dialect, t)
    return ins.on_conflict_do_update(
        index_elements=["member_id"],
        set_={"team": ins.excluded.team, "last_seen_at": ins.excluded.last_seen_at},
        where=and_(t.c.last_seen_at <= ins.excluded.last_seen_at, ins.excluded.team != ""),
    )


@cache
def insert_rows(table: Table) -> Any:
    return table.insert()


@cache
def mark_processed(dialect: str) -> Any:
    """Record event ids as applied (the processed-at time is the server's)."""
    t = models.processed
    return _insert(dialect, t).values(event_id=bindparam("event_id")).on_conflict_do_nothing()


@cache
def insert_ignore(dialect: str, table: Table) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing()


async def write(unit: Unit) -> None:
    """Persist every changed fact, the new post→case map, term rows and bucket deltas."""
    s, d = unit.session, unit.dialect
    for facts in (unit.posts, unit.cases, unit.replies):
        await executemany(s, upsert_row(d, facts.table), facts.changed())
    await executemany(s, upsert_member(d), unit.members.changed())
    rows = [{"post_id": p, "case_id": c} for p, c in sorted(unit.new_post_cases.items())]
    await executemany(s, insert_ignore(d, models.post_cases), rows)
    t = models.post_terms
    replaced = sorted(unit.terms_replaced)
    for i in range(0, len(replaced), IN_CHUNK):
        await s.execute(delete(t).where(t.c.post_id.in_(replaced[i : i + IN_CHUNK])))
    terms = [r for p in sorted(unit.terms) for r in unit.terms[p]]
    await executemany(s, insert_rows(t), terms)
    await store.write(s, d, unit.net_contributions())
