"""Hot-path statements straight to the inline SQLite driver, in the session's transaction.

A small statement through SQLAlchemy's async session (greenlet switch, execution context,
result wrapping) costs several times what :mod:`sqlite3` spends running it, and a unit of
work runs many such statements, so on a quiet system that overhead is most of a unit's cost
(docs/performance.md, ``SQL_DIRECT``).

Here a statement built once (a module constant or ``functools.cache``) is compiled once per
dialect and driver; each run binds its parameters with the bind processors SQLAlchemy would
use, runs the SQL on the connection the session already holds (so in the same transaction,
with the same write admission as every other statement: :meth:`sqlite_inline.Connection.run`)
and converts result columns with SQLAlchemy's result processors (SQLite datetimes, JSON,
booleans). Driver errors are raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``)
like any other statement's.

Every other driver (PostgreSQL's asyncpg, aiosqlite on worker threads) takes SQLAlchemy's
own path with the same statement and parameters, so results are the same tuples either way.
SQLAlchemy's statement events (``before_cursor_execute``) do not see the direct statements;
:data:`OBSERVERS` does (tests count statements with it).
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.selectable import Select, TextualSelect

from chorus_common.persistence import sqlite_inline

Proc = Callable[[Any], Any]
_REQUIRED = object()  # a parameter the caller must give

# Called with (sql, parameters) before each statement run directly (tests, diagnostics).
OBSERVERS: list[Callable[[str, Any], None]] = []


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # the bind parameters in positional order
    constants: tuple[Any, ...]  # a parameter's value when the statement carries it
    binds: tuple[Proc | None, ...]  # per parameter
    results: tuple[Proc | None, ...]  # per result column (empty: nothing to convert)
    writes: bool


# Per statement object (weakly: a statement built per call would be compiled per call, but
# not kept), then per dialect, driver and column set.
_COMPILED: weakref.WeakKeyDictionary[
    Executable, dict[tuple[str, str, tuple[str, ...] | None], Compiled]
] = weakref.WeakKeyDictionary()


def compiled(
    stmt: Executable, dialect: Dialect, column_keys: tuple[str, ...] | None = None
) -> Compiled:
    """``stmt`` compiled once per dialect and driver (and, for an INSERT given no values,
    per set of columns its rows bring), with positional parameters. Build statements once
    (module constants, ``functools.cache``): the compiled form is kept as long as they are."""
    per = _COMPILED.get(stmt)
    if per is None:
        per = _COMPILED[stmt] = {}
    key = (dialect.name, dialect.driver, column_keys)
    found = per.get(key)
    if found is None:
        found = per[key] = _compile(stmt, dialect, column_keys)
    return found


def _compile(
    stmt: Executable, dialect: Dialect, column_keys: tuple[str, ...] | None = None
) -> Compiled:
    keys = list(column_keys) if column_keys is not None else None
    c = cast(SQLCompiler, cast(ClauseElement, stmt).compile(dialect=dialect, column_keys=keys))
    if not c.positional:
        raise ValueError(f"{dialect.name}+{dialect.driver} binds by name, not by position")
    names = tuple(c.positiontup or ())
    if "POSTCOMPILE" in c.string:
        raise ValueError("expanding parameters are rendered per call: bind one list instead")
    binds = [c.binds[n] for n in names]
    results: list[Proc | None] = []
    if isinstance(stmt, Select | TextualSelect | UpdateBase):
        for col in (
            stmt.selected_columns
            if isinstance(stmt, Select | TextualSelect)
            else stmt.exported_columns
        ):
            results.append(col.type.dialect_impl(dialect).result_processor(dialect, None))
    return Compiled(
        sql=c.string,
        names=names,
        constants=tuple(_REQUIRED if b.required else b.effective_value for b in binds),
        binds=tuple(b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds),
        results=tuple(results) if any(results) else (),
        writes=sqlite_inline.may_write(c.string),
    )


# ``SQL_DIRECT=0`` sends every statement through SQLAlchemy (to compare, or to rule this lane out).
ENABLED = os.environ.get("SQL_DIRECT", "1") != "0"


def inline(conn: AsyncConnection) -> sqlite_inline.Connection | None:
    """The inline SQLite connection under ``conn``, if that is its driver (and enabled)."""
    if not ENABLED:
        return None
    driver = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    return driver if isinstance(driver, sqlite_inline.Connection) else None


def _args(c: Compiled, params: Mapping[str, Any]) -> tuple[Any, ...]:
    out = []
    for name, const, proc in zip(c.names, c.constants, c.binds, strict=True):
        v = params.get(name, const)
        if v is _REQUIRED:
            raise exc.ArgumentError(f"a value is required for bind parameter {name!r}")
        out.append(proc(v) if proc is not None else v)
    return tuple(out)


async def _on_driver(
    driver: sqlite_inline.Connection,
    writes: bool,
    fn: Callable[[str, Any], Any],
    sql: str,
    params: Any,
) -> Any:
    """``fn(sql, params)`` on the driver, through its write admission; observers see it first
    and a driver error is raised as SQLAlchemy's."""
    for observe in OBSERVERS:
        observe(sql, params)
    try:
        return await driver.run(writes, fn, sql, params)
    except sqlite3.Error as e:
        raise exc.DBAPIError.instance(sql, params, e, sqlite3.Error) from e


def _converted(procs: tuple[Proc | None, ...], rows: list[Any]) -> list[tuple[Any, ...]]:
    """``rows`` with each column through its result processor (none: the rows as they are)."""
    if not procs:
        return rows
    return [
        tuple(v if p is None else p(v) for p, v in zip(procs, row, strict=True)) for row in rows
    ]


async def _run(
    session: AsyncSession, stmt: Executable, params: Mapping[str, Any]
) -> tuple[list[tuple[Any, ...]], int]:
    conn = await session.connection()
    driver = inline(conn)
    if driver is None:
        result = await conn.execute(stmt, dict(params))
        rows = [tuple(r) for r in result] if result.returns_rows else []
        return rows, result.rowcount if not result.returns_rows else len(rows)
    c = compiled(stmt, conn.dialect)
    raw, count = await _on_driver(driver, c.writes, driver.execute_fetch, c.sql, _args(c, params))
    return _converted(c.results, raw), count


async def rows(
    session: AsyncSession, stmt: Executable, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run a select in the session's transaction: its rows as plain tuples."""
    return (await _run(session, stmt, params or {}))[0]


async def mappings(
    session: AsyncSession, stmt: Select[Any], params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run a select: its rows as dicts keyed by the selected columns' names."""
    names = _names(stmt)
    return [dict(zip(names, r, strict=True)) for r in (await _run(session, stmt, params or {}))[0]]


_NAMES: weakref.WeakKeyDictionary[Select[Any], tuple[str, ...]] = weakref.WeakKeyDictionary()


def _names(stmt: Select[Any]) -> tuple[str, ...]:
    found = _NAMES.get(stmt)
    if found is None:
        found = _NAMES[stmt] = tuple(stmt.selected_columns.keys())
    return found


async def scalars(
    session: AsyncSession, stmt: Executable, params: Mapping[str, Any] | None = None
) -> list[Any]:
    """The first column of every row."""
    return [r[0] for r in (await _run(session, stmt, params or {}))[0]]


async def execute(
    session: AsyncSession, stmt: Executable, params: Mapping[str, Any] | None = None
) -> int:
    """Run an UPDATE or DELETE in the session's transaction: the number of rows it matched."""
    return (await _run(session, stmt, params or {}))[1]


async def insert_each(
    session: AsyncSession, stmt: Insert, rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Run an ``INSERT … RETURNING`` given no values once per row (every row with the same
    columns): the rows it returned, in the order of ``rows`` (none for a row an
    ``ON CONFLICT DO NOTHING`` skipped). Elsewhere: SQLAlchemy's executemany
    (``insertmanyvalues``), whose order is the rows' only if the statement asks for it
    (``returning(…, sort_by_parameter_order=True)``)."""
    if not rows:
        return []
    conn = await session.connection()
    driver = inline(conn)
    if driver is None:
        return [tuple(r) for r in await conn.execute(stmt, list(rows))]
    c = compiled(stmt, conn.dialect, tuple(rows[0]))
    arglists = [_args(c, r) for r in rows]
    runs = await _on_driver(driver, c.writes, driver.execute_each, c.sql, arglists)
    return _converted(c.results, [row for run in runs for row in run])


async def executemany(conn: AsyncConnection, sql: str, rows: Sequence[Any]) -> None:
    """Run driver-ready SQL (as :mod:`chorus_common.persistence.bulk` compiles it) with driver-ready
    parameters on a session's connection: straight to the inline driver, else through
    ``exec_driver_sql``."""
    driver = inline(conn)
    if driver is None:
        await conn.exec_driver_sql(sql, rows)
        return
    await _on_driver(driver, sqlite_inline.may_write(sql), driver.executemany_now, sql, rows)
