"""Bucket deltas: summed per consumer batch, written once at commit as
``INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m`` (executemany, cached statement).

Handlers add to :func:`pending` deltas; a ``before_commit`` hook on the batch's session
writes them inside the same transaction as the facts and the processed-event ids, so a
batch is counted entirely or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from chorus_analytics import models
from chorus_analytics.domain.facts import Deltas

_KEY = "chorus_analytics_pending"


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


def upsert_add(dialect: str, table: Table, measures: tuple[str, ...]) -> Any:
    keys = [c.name for c in table.primary_key.columns]
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return ins.on_conflict_do_update(
        index_elements=keys, set_={m: table.c[m] + ins.excluded[m] for m in measures}
    )


def rows_of(table: Table, deltas: Deltas) -> list[dict[str, Any]]:
    keys = [c.name for c in table.primary_key.columns]
    # Sorted keys give every writer the same lock order (no deadlocks between instances).
    return [{**dict(zip(keys, k, strict=True)), **v} for k, v in deltas.nonzero()]


def _flush(sync_session: Session) -> None:
    pending: Pending | None = sync_session.info.pop(_KEY, None)
    if pending is None:
        return
    bind = sync_session.get_bind()
    for table, deltas in pending.tables():
        rows = rows_of(table, deltas)
        if rows:
            sync_session.execute(upsert_add(bind.dialect.name, table, deltas.measures), rows)


def pending(session: AsyncSession) -> Pending:
    """The batch's bucket deltas (written when ``session`` commits)."""
    info = session.sync_session.info
    if _KEY not in info:
        info[_KEY] = Pending()
        if not event.contains(session.sync_session, "before_commit", _flush):
            event.listen(session.sync_session, "before_commit", _flush)
    found: Pending = info[_KEY]
    return found
