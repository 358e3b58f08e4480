"""Bucket deltas: summed per consumer batch and written once, inside the batch's
transaction, as ``INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m`` (executemany,
cached statement), so a batch is counted entirely or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from chorus_common.persistence import bulk
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.facts import Deltas


@dataclass(slots=True)
class Pending:
    posts: Deltas = field(default_factory=lambda: Deltas(models.POST_MEASURES))
    terms: Deltas = field(default_factory=lambda: Deltas(("posts", "negative")))
    events: Deltas = field(default_factory=lambda: Deltas(("count",)))

    def tables(self) -> list[tuple[Table, Deltas]]:
        return [
            (models.post_buckets, self.posts),
            (models.term_buckets, self.terms),
            (models.event_buckets, self.events),
        ]


@cache
def upsert_add(dialect: str, table: Table, measures: tuple[str, ...]) -> bulk.Bulk:
    keys = [c.name for c in table.primary_key.columns]
    ins = bulk.insert_into(dialect, table)
    return bulk.of(
        ins.on_conflict_do_update(
            index_elements=keys, set_={m: table.c[m] + ins.excluded[m] for m in measures}
        )
    )


async def write(session: AsyncSession, dialect: str, pending: Pending) -> None:
    """Add the batch's deltas to the bucket tables."""
    for table, deltas in pending.tables():
        stmt = upsert_add(dialect, table, deltas.measures)
        await bulk.run(session, stmt, deltas.rows())
