"""Writing bucket deltas: ``INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_analytics import models
from chorus_analytics.domain.facts import Deltas


def _upsert_add(
    dialect: str, table: Table, rows: list[dict[str, Any]], measures: tuple[str, ...]
) -> Any:
    keys = [c.name for c in table.primary_key.columns]
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(rows)
    return ins.on_conflict_do_update(
        index_elements=keys, set_={m: table.c[m] + ins.excluded[m] for m in measures}
    )


async def write(session: AsyncSession, dialect: str, table: Table, deltas: Deltas) -> None:
    """Apply ``deltas`` to ``table`` (keys in primary-key order); not idempotent on its own —
    callers run inside the dispatcher's once-per-event transaction."""
    items = deltas.nonzero()
    if not items:
        return
    keys = [c.name for c in table.primary_key.columns]
    rows = [{**dict(zip(keys, k, strict=True)), **v} for k, v in items]
    # Sorted keys give every writer the same lock order (no deadlocks between instances).
    await session.execute(_upsert_add(dialect, table, rows, deltas.measures))


def post_deltas() -> Deltas:
    return Deltas(models.POST_MEASURES)


def term_deltas() -> Deltas:
    return Deltas(("posts", "negative"))


def event_deltas() -> Deltas:
    return Deltas(("count",))
