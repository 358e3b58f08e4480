"""Bulk writes through SQLAlchemy, one statement per table and batch.

* SQLite: ``INSERT … VALUES (?, …)`` run as SQLAlchemy's executemany (the driver's loop),
  or, on an engine made with ``sqlite_fast_path``, by :mod:`chorus_common.persistence.sqlite_fast`.
* PostgreSQL: ``INSERT … SELECT * FROM unnest($1::type[], …)``: one statement whose
  parameters are one array per column, so the server parses, plans and executes once per
  batch instead of once per row.

Statements are built once (``functools.cache``), so SQLAlchemy compiles each once. Rows must
have distinct keys (``ON CONFLICT DO UPDATE`` may touch a row once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from chorus_common.persistence import sqlite_fast


@dataclass(frozen=True, slots=True)
class Bulk:
    """An INSERT fed with rows of ``columns``, in that order."""

    stmt: Insert
    columns: tuple[str, ...]


def insert_into(
    dialect: str, table: Table, columns: Sequence[str] | None = None
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of ``columns`` (default: all) whose rows come from bulk parameters; add
    ``on_conflict_…`` to it and wrap it with :func:`of`."""
    cols = [table.c[n] for n in columns] if columns else list(table.columns)
    if dialect == "postgresql":
        arrays = [bindparam(c.name, type_=postgresql.ARRAY(c.type, dimensions=1)) for c in cols]
        rows = func.unnest(*arrays).table_valued(*(c.name for c in cols)).render_derived()
        source = select(*(rows.c[c.name] for c in cols))
        return postgresql.insert(table).from_select(cols, source)
    return sqlite.insert(table)


def of(stmt: Insert, columns: Sequence[str] | None = None) -> Bulk:
    """``stmt`` fed with rows of ``columns`` (default: all of its table's)."""
    table = stmt.table
    assert isinstance(table, Table)
    return Bulk(stmt, tuple(columns) if columns else tuple(c.name for c in table.columns))


@cache
def insert_rows(dialect: str, table: Table, columns: tuple[str, ...] | None = None) -> Bulk:
    """A plain INSERT of rows of ``columns`` (default: all); no column defaults are applied,
    so every column the table needs must be given."""
    return of(insert_into(dialect, table, columns), columns)


@cache
def insert_ignore(
    dialect: str,
    table: Table,
    keys: tuple[str, ...] | None = None,
    columns: tuple[str, ...] | None = None,
) -> Bulk:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` (default: any conflict) of rows of
    ``columns`` (default: all): a key already stored, or repeated in the call, keeps its
    first row."""
    stmt = insert_into(dialect, table, columns)
    return of(stmt.on_conflict_do_nothing(index_elements=list(keys) if keys else None), columns)


@cache
def upsert_row(dialect: str, table: Table) -> Bulk:
    """``INSERT … ON CONFLICT (pk) DO UPDATE SET every other column = excluded``: each row
    replaces the stored one whole."""
    stmt = insert_into(dialect, table)
    keys = [c.name for c in table.primary_key.columns]
    return of(
        stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys},
        )
    )


@cache
def upsert_newer(dialect: str, table: Table, key: str, version: str) -> Bulk:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of whole rows that keeps the highest
    ``version``: a new key is inserted, a known one takes every column of the incoming row
    when its ``version`` is at least the stored one, an older row changes nothing. The rows
    of one call must have distinct keys (see :func:`chorus_common.persistence.db.newest_by_key`)."""
    stmt = insert_into(dialect, table)
    incoming = stmt.excluded
    return of(
        stmt.on_conflict_do_update(
            index_elements=[key],
            set_={c.name: incoming[c.name] for c in table.c if c.name != key},
            where=incoming[version] >= table.c[version],
        )
    )


async def run(session: AsyncSession, b: Bulk, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``b.columns`` order) in the session's transaction."""
    if not rows:
        return
    conn = await session.connection()
    if sqlite_fast.enabled(conn):
        await sqlite_fast.executemany(conn, b.stmt, b.columns, rows)
        return
    if conn.dialect.name == "postgresql":  # one array per column for unnest
        arrays = [list(column) for column in zip(*rows, strict=True)]
        await session.execute(b.stmt, dict(zip(b.columns, arrays, strict=True)))
        return
    await session.execute(b.stmt, [dict(zip(b.columns, r, strict=True)) for r in rows])


async def run_dicts(session: AsyncSession, b: Bulk, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` given as column-name mappings (other keys are left out)."""
    if not rows:
        return
    pick = itemgetter(*b.columns)
    await run(
        session, b, [pick(r) for r in rows] if len(b.columns) > 1 else [(pick(r),) for r in rows]
    )
