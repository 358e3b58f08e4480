"""Write a batch's :class:`~chorus_analytics.unit.Unit`: one executemany per table, rows in
primary-key order (the same lock order for every writer), inside the batch's transaction."""

from __future__ import annotations

from functools import cache

from chorus_common.persistence import bulk
from sqlalchemy import Table, and_, bindparam, delete, update

from chorus_analytics import models, store
from chorus_analytics.unit import IN_CHUNK, Row, Unit


@cache
def upsert_member(dialect: str) -> bulk.Bulk:
    """A member's latest team; the condition keeps it monotonic under concurrent writers."""
    t = models.members
    ins = bulk.insert_into(dialect, t)
    return bulk.of(
        ins.on_conflict_do_update(
            index_elements=["member_id"],
            set_={"team": ins.excluded.team, "last_seen_at": ins.excluded.last_seen_at},
            where=and_(t.c.last_seen_at <= ins.excluded.last_seen_at, ins.excluded.team != ""),
        )
    )


async def write(unit: Unit) -> None:
    """Persist every changed fact, the new post→case map, term rows and bucket deltas."""
    s, d = unit.session, unit.dialect
    for facts in (unit.posts, unit.cases, unit.replies):
        await bulk.run_dicts(s, bulk.upsert_row(d, facts.table), facts.changed())
    await bulk.run_dicts(s, upsert_member(d), unit.members.changed())
    await bulk.run(s, bulk.insert_ignore(d, models.post_cases), sorted(unit.new_post_cases.items()))
    t = models.post_terms
    replaced = sorted(unit.terms_replaced)
    for i in range(0, len(replaced), IN_CHUNK):
        await s.execute(delete(t).where(t.c.post_id.in_(replaced[i : i + IN_CHUNK])))
    terms = [r for p in sorted(unit.terms) for r in unit.terms[p]]
    for r in terms:  # a post re-teamed after its terms were built moves them too
        r["team"] = (unit.posts.rows[r["post_id"]] or r)["team"]
    await bulk.run_dicts(s, bulk.insert_rows(d, t), terms)
    moved = [
        {"pid": p, "tm": row["team"]}
        for p in sorted(unit.reteamed - unit.terms.keys())
        if (row := unit.posts.rows[p]) is not None and row["terms"]
    ]
    if moved:
        await s.execute(
            update(t).where(t.c.post_id == bindparam("pid")).values(team=bindparam("tm")), moved
        )
    await _replace_rows(unit, models.case_hands, "case_id", unit.hands)
    await bulk.run_dicts(s, bulk.insert_ignore(d, models.dead_letters), unit.dead_letters)
    brand = [unit.brand_posts[k] for k in sorted(unit.brand_posts)]
    await bulk.run_dicts(s, bulk.insert_ignore(d, models.brand_posts), brand)
    await store.write(s, d, unit.net_contributions())


async def _replace_rows(unit: Unit, table: Table, key: str, rows: dict[str, list[Row]]) -> None:
    """Delete the stored rows of every key in ``rows`` and insert the new ones."""
    s, d = unit.session, unit.dialect
    keys = sorted(rows)
    for i in range(0, len(keys), IN_CHUNK):
        await s.execute(delete(table).where(table.c[key].in_(keys[i : i + IN_CHUNK])))
    await bulk.run_dicts(s, bulk.insert_rows(d, table), [r for k in keys for r in rows[k]])
