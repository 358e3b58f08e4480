"""SQLite's fast path (``SQLITE_FAST_PATH``): one driver thread hop per statement, and a
batch's rows reach the driver's executemany as plain tuples.

aiosqlite runs each cursor call (open, execute, fetch, close) as a job of its own on the
connection's thread, each a round trip between threads; SQLAlchemy's adapter makes three or
four per statement. :func:`driver` is that adapter with one job per statement, the rows
fetched inside it. Every statement still goes through SQLAlchemy (compilation, types, errors).

SQLAlchemy's executemany builds a parameter dict per row and runs each column's bind
processor on every row. Here an INSERT is compiled once, each column's bind processor (SQLite
datetimes, JSON) is looked up once and applied once per distinct value, and the SQL runs with
``exec_driver_sql`` on the session's connection: the same transaction, SQLAlchemy's errors.
Only on engines made with ``make_engine(..., sqlite_fast_path=True)``; elsewhere
:mod:`chorus_common.persistence.bulk` runs the statement through the session.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy import JSON
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.util import EMPTY_DICT

Proc = Callable[[Any], Any]


def enabled(conn: AsyncConnection) -> bool:
    """Whether ``conn``'s engine runs on this path (it was made with :func:`driver`)."""
    return isinstance(conn.dialect.dbapi, _Driver)


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    index: tuple[int | None, ...]  # for each parameter: its column, or None (a constant)
    constants: tuple[Any, ...]  # the parameter's value when it is a constant
    procs: tuple[Proc | None, ...]  # per parameter
    memo: tuple[bool, ...]  # per parameter: convert once per distinct value

    def rows(self, rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
        """Driver parameters for rows given as tuples in column order: one tuple per row."""
        if not any(self.procs) and self.index == tuple(range(len(self.index))):
            return rows
        columns = list(zip(*rows, strict=True))
        params: list[Sequence[Any]] = []
        for p, i in enumerate(self.index):
            proc = self.procs[p]
            if i is None:  # a scalar the statement carries (not per row)
                params.append([self.constants[p]] * len(rows))
            elif proc is None:
                params.append(columns[i])
            elif self.memo[p]:
                params.append(_convert(proc, columns[i]))
            else:
                params.append([proc(v) for v in columns[i]])
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


_PREPARED: dict[tuple[Insert, tuple[str, ...], str], Prepared] = {}


def prepare(stmt: Insert, columns: tuple[str, ...], dialect: Dialect) -> Prepared:
    """``stmt`` fed with rows of ``columns``, compiled once per driver (positional)."""
    key = (stmt, columns, dialect.driver)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _compile(stmt, columns, dialect)
    return found


def _compile(stmt: Insert, columns: tuple[str, ...], dialect: Dialect) -> Prepared:
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[n] for n in names]
    return Prepared(
        sql=str(compiled),
        index=tuple(columns.index(n) if n in columns else None for n in names),
        constants=tuple(
            None if n in columns else p.value for n, p in zip(names, binds, strict=True)
        ),
        procs=tuple(p.type.dialect_impl(dialect).bind_processor(dialect) for p in binds),
        # JSON values are mostly unhashable (a raised TypeError per row), and equal-but-not-
        # identical ones (1 and True, 1 and 1.0) must not share one serialised text.
        memo=tuple(not isinstance(p.type, JSON) for p in binds),
    )


async def executemany(
    conn: AsyncConnection, stmt: Insert, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) on ``conn``, in its transaction."""
    prepared = prepare(stmt, columns, conn.dialect)
    await conn.exec_driver_sql(prepared.sql, prepared.rows(rows))


Outcome = tuple[Any, list[Any] | None, int, int | None]


def _statement(conn: sqlite3.Connection, sql: str, params: Any, many: bool) -> Outcome:
    """On the driver's thread: run one statement and read all it returns."""
    cur = conn.cursor()
    try:
        if many:
            cur.executemany(sql, params)
        elif params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, params)
        desc = cur.description
        return desc, (cur.fetchall() if desc else None), cur.rowcount, cur.lastrowid
    finally:
        cur.close()


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement is one job on aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False  # nothing to close on the driver's side

    def __init__(self, adapt_connection: Any) -> None:  # no driver cursor: no round trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows: deque[Any] = deque()
        self._soft_closed_memoized = EMPTY_DICT
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # None as sqlite3 gives it

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, sql: str, params: Any, many: bool) -> None:
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            out: Outcome = await conn._execute(  # type: ignore[no-untyped-call]
                _statement, conn._conn, sql, params, many
            )
        self._description, rows, self._rowcount, self._lastrowid = out
        self._rows = deque(rows) if rows is not None else deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, True)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor


class _Driver(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        return _Connection(self, super().connect(*arg, **kw)._connection)


def driver() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for ``create_async_engine(..., module=driver())`` on SQLite."""
    return _Driver(aiosqlite, sqlite3)
