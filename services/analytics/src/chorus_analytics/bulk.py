"""Executemany without SQLAlchemy's per-row parameter handling.

A batch writes tens of thousands of rows; SQLAlchemy's executemany builds and processes a
parameter dict per row, which costs more than the database work itself. Here the statement
is compiled once per dialect, each column's bind processor (datetimes for SQLite, JSON) is
looked up once, and the driver gets plain tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    names: tuple[str, ...]  # the statement's positional parameters, in order
    constants: Mapping[str, Any]  # parameters the statement carries itself
    procs: tuple[Callable[[Any], Any] | None, ...]

    def params(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Positional parameters from rows keyed by column name."""
        plan = [
            (name, proc, name in self.constants)
            for name, proc in zip(self.names, self.procs, strict=True)
        ]
        out: list[tuple[Any, ...]] = []
        for row in rows:
            values = []
            for name, proc, constant in plan:
                v = self.constants[name] if constant else row[name]
                values.append(proc(v) if proc is not None and v is not None else v)
            out.append(tuple(values))
        return out

    def positional(self, rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple[Any, ...]]:
        """Rows already in parameter order: only the columns with a processor are touched,
        each distinct value once (bucket times repeat across a batch)."""
        if self.constants:
            raise ValueError("positional rows need a statement without constants")
        procs = [(i, p) for i, p in enumerate(self.procs) if p is not None]
        if not procs:
            return rows
        memo: dict[tuple[int, Any], Any] = {}
        out = []
        for row in rows:
            values = list(row)
            for i, proc in procs:
                v = values[i]
                if v is not None:
                    key = (i, v)
                    done = memo.get(key)
                    if done is None:
                        done = memo[key] = proc(v)
                    values[i] = done
            out.append(tuple(values))
        return out


_PREPARED: dict[tuple[Insert, str, str], Prepared] = {}


def prepare(stmt: Insert, dialect: Dialect) -> Prepared:
    """``stmt`` compiled once per dialect and driver (positional parameters)."""
    key = (stmt, dialect.name, dialect.driver)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _compile(stmt, dialect)
    return found


def _compile(stmt: Insert, dialect: Dialect) -> Prepared:
    compiled = stmt.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    columns = {c.name for c in stmt.table.columns}
    constants = {n: compiled.binds[n].value for n in names if n not in columns}
    procs = tuple(
        compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
    )
    return Prepared(str(compiled), names, constants, procs)


async def executemany_positional(
    session: AsyncSession, stmt: Insert, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Run ``stmt`` once per row given as a tuple in the table's column order."""
    if not rows:
        return
    conn = await session.connection()
    prepared = prepare(stmt, conn.dialect)
    if prepared.names != tuple(c.name for c in stmt.table.columns):
        raise ValueError(f"{stmt.table.name}: parameters are not in column order")
    await conn.exec_driver_sql(prepared.sql, prepared.positional(rows))


async def executemany(
    session: AsyncSession, stmt: Insert, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run ``stmt`` once per row, in the session's transaction."""
    if not rows:
        return
    conn = await session.connection()
    prepared = prepare(stmt, conn.dialect)
    await conn.exec_driver_sql(prepared.sql, prepared.params(rows))
