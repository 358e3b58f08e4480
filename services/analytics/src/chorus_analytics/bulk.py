"""Bulk writes: a batch's rows reach the driver as plain tuples, one statement per table.

* SQLite: ``INSERT … VALUES (?, …)`` run by the driver's executemany (a C loop).
* PostgreSQL: ``INSERT … SELECT * FROM unnest($1::type[], …)``: one statement whose
  parameters are one array per column, so the server parses, plans and executes once per
  batch instead of once per row.

SQLAlchemy's own executemany builds and processes a parameter dict per row, which cost more
than the database work. Here a statement is compiled once per dialect and driver, each
column's bind processor (SQLite datetimes, JSON) is looked up once and applied once per
distinct value. Rows must have distinct keys (``ON CONFLICT DO UPDATE`` may touch a row once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

Proc = Callable[[Any], Any]


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
        arrays = [bindparam(c.name, type_=postgresql.ARRAY(c.type)) for c in cols]
        rows = func.unnest(*arrays).table_valued(*(c.name for c in cols)).render_derived()
        source = select(*(rows.c[c.name] for c in cols))
        return postgresql.insert(table).from_select(cols, source)
    return sqlite.insert(table)


def of(stmt: Insert, columns: Sequence[str] | None = None) -> Bulk:
    """``stmt`` fed with rows of ``columns`` (default: all of its table's)."""
    table = stmt.table
    assert isinstance(table, Table)
    return Bulk(stmt, tuple(columns) if columns else tuple(c.name for c in table.columns))


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    arrays: bool  # one array parameter per column (PostgreSQL) or one tuple per row
    index: tuple[int | None, ...]  # for each parameter: its column, or None (a constant)
    constants: tuple[Any, ...]  # the parameter's value when it is a constant
    procs: tuple[Proc | None, ...]  # per parameter (per element of an array)

    def rows(self, rows: Sequence[Sequence[Any]]) -> Any:
        """Driver parameters for rows given as tuples in column order."""
        memo: dict[tuple[int, Any], Any] = {}

        def convert(p: int, value: Any) -> Any:
            proc = self.procs[p]
            if proc is None or value is None:
                return value
            if isinstance(value, list | dict):  # JSON: not hashable, rarely repeated
                return proc(value)
            key = (p, value)
            done = memo.get(key)
            if done is None:
                done = memo[key] = proc(value)
            return done

        if self.arrays:
            columns = list(zip(*rows, strict=True))
            return tuple(
                self.constants[p]
                if i is None
                else [convert(p, v) for v in columns[i]]
                if self.procs[p]
                else list(columns[i])
                for p, i in enumerate(self.index)
            )
        if not any(self.procs) and all(i == p for p, i in enumerate(self.index)):
            return rows
        return [
            tuple(
                self.constants[p] if i is None else convert(p, row[i])
                for p, i in enumerate(self.index)
            )
            for row in rows
        ]


_PREPARED: dict[tuple[Insert, str, str], Prepared] = {}


def prepare(b: Bulk, dialect: Dialect) -> Prepared:
    """``b`` compiled once per dialect and driver (positional parameters)."""
    key = (b.stmt, dialect.name, dialect.driver)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _compile(b, dialect)
    return found


def _compile(b: Bulk, dialect: Dialect) -> Prepared:
    compiled = b.stmt.compile(dialect=dialect, column_keys=list(b.columns))
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[n] for n in names]
    arrays = any(isinstance(p.type, postgresql.ARRAY) for p in binds)
    procs: list[Proc | None] = []
    for p in binds:
        t = p.type.item_type if isinstance(p.type, postgresql.ARRAY) else p.type
        procs.append(t.dialect_impl(dialect).bind_processor(dialect))
    return Prepared(
        sql=str(compiled),
        arrays=arrays,
        index=tuple(b.columns.index(n) if n in b.columns else None for n in names),
        constants=tuple(
            None if n in b.columns else p.value for n, p in zip(names, binds, strict=True)
        ),
        procs=tuple(procs),
    )


async def run(session: AsyncSession, b: Bulk, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``b.columns`` order) in the session's transaction."""
    if not rows:
        return
    conn = await session.connection()
    prepared = prepare(b, conn.dialect)
    await conn.exec_driver_sql(prepared.sql, prepared.rows(rows))


async def run_dicts(session: AsyncSession, b: Bulk, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` given as column-name mappings."""
    await run(session, b, [tuple(r[c] for c in b.columns) for r in rows])
