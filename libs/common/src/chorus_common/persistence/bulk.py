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
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from chorus_common.persistence import direct

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


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    arrays: bool  # one array parameter per column (PostgreSQL) or one tuple per row
    index: tuple[int | None, ...]  # for each parameter: its column, or None (a constant)
    constants: tuple[Any, ...]  # the parameter's value when it is a constant
    procs: tuple[Proc | None, ...]  # per parameter (per element of an array)
    memo: tuple[bool, ...]  # per parameter: convert once per distinct value

    def rows(self, rows: Sequence[Sequence[Any]]) -> Any:
        """Driver parameters for rows given as tuples in column order: one array per
        parameter (PostgreSQL) or one tuple per row (SQLite)."""
        plain = not any(self.procs) and self.index == tuple(range(len(self.index)))
        if plain and not self.arrays:
            return rows
        columns = list(zip(*rows, strict=True))
        params: list[Any] = []
        for p, i in enumerate(self.index):
            proc = self.procs[p]
            if i is None:  # a scalar the statement carries (not per row)
                c = self.constants[p]
                params.append(c if self.arrays else [c] * len(rows))
            elif proc is None:
                params.append(list(columns[i]) if self.arrays else columns[i])
            elif self.memo[p]:
                params.append(_convert(proc, columns[i]))
            else:
                params.append([proc(v) for v in columns[i]])
        if self.arrays:
            return tuple(params)
        return list(zip(*params, strict=True))


def _convert(proc: Proc, values: Sequence[Any]) -> list[Any]:
    """``proc`` over a column, once per distinct value (bucket times repeat in a batch)."""
    memo: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:  # None too: a processor may map it (JSON's gives 'null')
        try:
            r = memo[v]
        except KeyError:
            r = memo[v] = proc(v)
        except TypeError:  # an unhashable value of a custom type
            r = proc(v)
        out.append(r)
    return out


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
    memo: list[bool] = []
    for p in binds:
        t = p.type.item_type if isinstance(p.type, postgresql.ARRAY) else p.type
        procs.append(t.dialect_impl(dialect).bind_processor(dialect))
        # JSON values are mostly unhashable (a raised TypeError per row), and equal-but-not-
        # identical ones (1 and True, 1 and 1.0) must not share one serialised text.
        memo.append(not isinstance(t, JSON))
    return Prepared(
        sql=str(compiled),
        arrays=arrays,
        index=tuple(b.columns.index(n) if n in b.columns else None for n in names),
        constants=tuple(
            None if n in b.columns else p.value for n, p in zip(names, binds, strict=True)
        ),
        procs=tuple(procs),
        memo=tuple(memo),
    )


async def run(session: AsyncSession, b: Bulk, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``b.columns`` order) in the session's transaction."""
    if not rows:
        return
    conn = await session.connection()
    prepared = prepare(b, conn.dialect)
    await direct.executemany(conn, prepared.sql, prepared.rows(rows))


async def run_dicts(session: AsyncSession, b: Bulk, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` given as column-name mappings."""
    if not rows:
        return
    pick = itemgetter(*b.columns)
    await run(
        session, b, [pick(r) for r in rows] if len(b.columns) > 1 else [(pick(r),) for r in rows]
    )
