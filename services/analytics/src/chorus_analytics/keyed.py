"""Rows by primary key with the whole id list as *one* parameter: ``pk = ANY($1)`` on
PostgreSQL, ``pk IN (SELECT value FROM json_each(?))`` on SQLite.

``chorus_common.db.rows_with`` uses an expanding ``IN``: SQLAlchemy renders one bind per id
on every execution (and on PostgreSQL asyncpg prepares a new statement for every list
length, so the server parses and plans a 2,000-parameter query each time). Here the SQL
text never changes: it is compiled once and prepared once. Both forms search the primary
key index (SQLite's plan: ``SEARCH … USING INDEX … (pk=?)`` over the JSON list).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson
from chorus_common.events import Envelope
from sqlalchemy import Select, String, Table, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator


class _IdsAsJson(TypeDecorator[list[str]]):
    """A list of ids bound as one JSON text (for SQLite's ``json_each``)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()


@cache
def rows_with(dialect: str, table: Table, *columns: str) -> Select[Any]:
    """``SELECT columns (default: all) FROM table WHERE pk IN :ids``; run it with
    ``{"ids": [...]}`` (a list of strings)."""
    key = table.primary_key.columns.values()[0]
    cols = [table.c[c] for c in columns] if columns else [table]
    if dialect == "postgresql":
        ids = bindparam("ids", type_=postgresql.ARRAY(String()))
        return select(*cols).where(key == any_(ids))
    listed = func.json_each(bindparam("ids", type_=_IdsAsJson())).table_valued("value")
    return select(*cols).where(key.in_(select(listed.c.value)))


async def fresh_events(
    session: AsyncSession, dialect: str, processed: Table, events: list[Envelope], chunk: int
) -> list[Envelope]:
    """``events`` minus those already recorded in ``processed`` and minus repeats, in order
    (``chorus_common.consume.fresh_events`` with the one-parameter lookup)."""
    ids: dict[str, Envelope] = {}
    for e in events:
        ids.setdefault(str(e.event_id), e)  # a repeat within the batch: the first one
    done: set[str] = set()
    seen = rows_with(dialect, processed, "event_id")
    keys = list(ids)
    for i in range(0, len(keys), chunk):
        done.update((await session.execute(seen, {"ids": keys[i : i + chunk]})).scalars())
    return [e for eid, e in ids.items() if eid not in done]
