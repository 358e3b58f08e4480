"""SQLite for the async engine without a thread per connection: statements run inline.

aiosqlite runs every statement on a worker thread and wakes the event loop when it is
done; for the small statements of a service the two thread hand-offs cost more than the
statement itself. This module gives
SQLAlchemy's aiosqlite dialect a connection with aiosqlite's interface whose methods call
:mod:`sqlite3` directly on the loop thread.

Blocking the loop is what makes a naive inline driver dangerous: if a coroutine holding a
write transaction yields and another connection of the same process then writes, SQLite's
busy handler would sleep *on the loop thread* and the holder could never commit. So writes
are admitted by an asyncio lock per database file (per event loop), taken before the first
statement that may write and released when the connection leaves its transaction: writers
wait for each other asynchronously, exactly as SQLite would serialize them, and the busy
handler only ever waits for *other processes*. Waiting longer than the busy timeout raises
``sqlite3.OperationalError("database is locked")``, as SQLite itself would.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

_memory_ids = itertools.count()

# Statements that never take SQLite's write lock by themselves (in WAL mode).
_READ_PREFIXES = ("SELECT", "PRAGMA", "EXPLAIN", "BEGIN", "SAVEPOINT", "RELEASE", "VALUES")

_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def write_lock(path: str) -> asyncio.Lock:
    """The lock that admits writers to ``path`` on the running loop (one per file and loop)."""
    loop = asyncio.get_running_loop()
    per_loop = _locks.setdefault(loop, {})
    lock = per_loop.get(path)
    if lock is None:
        lock = per_loop[path] = asyncio.Lock()
    return lock


def may_write(sql: str) -> bool:
    head = sql.lstrip()[:9].upper()
    return not head.startswith(_READ_PREFIXES)


class _Immediate:
    """Stands in for aiosqlite's request queue (SQLAlchemy sets isolation levels through it)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class Cursor:
    """aiosqlite's cursor interface over a :class:`sqlite3.Cursor`, run inline."""

    def __init__(self, conn: Connection, cursor: sqlite3.Cursor) -> None:
        self._conn = conn
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    def __aiter__(self) -> Cursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def execute(self, sql: str, parameters: Any = None) -> Cursor:
        args = () if parameters is None else (parameters,)
        await self._conn.run(may_write(sql), self._cursor.execute, sql, *args)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        await self._conn.run(may_write(sql), self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if size is None:
            return self._cursor.fetchmany()
        return self._cursor.fetchmany(size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class Connection:
    """aiosqlite's connection interface over a :class:`sqlite3.Connection`, run inline."""

    def __init__(self, conn: sqlite3.Connection, key: str, timeout: float) -> None:
        self._connection: sqlite3.Connection | None = conn
        self._key = key
        self._timeout = timeout
        self._held: asyncio.Lock | None = None
        self._tx = _Immediate()

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def _admit(self) -> None:
        # Looked up on each admission: a pooled connection may serve another event loop later.
        lock = write_lock(self._key)
        try:
            await asyncio.wait_for(lock.acquire(), self._timeout)
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        self._held = lock

    def _settle(self) -> None:
        """Release the write lock once the connection is out of its transaction."""
        if self._held is not None and (
            self._connection is None or not self._connection.in_transaction
        ):
            lock, self._held = self._held, None
            lock.release()

    async def run(self, writes: bool, fn: Callable[..., Any], *args: Any) -> Any:
        if writes and self._held is None:
            await self._admit()
        try:
            return fn(*args)
        finally:
            self._settle()

    def cursor(self) -> Cursor:
        return Cursor(self, self._conn.cursor())

    async def commit(self) -> None:
        try:
            self._conn.commit()
        finally:
            self._settle()

    async def rollback(self) -> None:
        try:
            self._conn.rollback()
        finally:
            self._settle()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            conn, self._connection = self._connection, None
            try:
                conn.close()
            finally:
                self._settle()

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any],
                              deterministic: bool = False) -> None:  # fmt: skip
        self._conn.create_function(name, num_params, func, deterministic=deterministic)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._conn.isolation_level = value


def creator(path: str, *, timeout: float = 30.0,
            on_connect: Sequence[str] = ()) -> Callable[[], Awaitable[Connection]]:  # fmt: skip
    """An ``async_creator`` for :func:`sqlalchemy.ext.asyncio.create_async_engine`."""
    # Each engine's in-memory database is its own: its lock must not be shared with others.
    key = f":memory:{next(_memory_ids)}" if path == ":memory:" else str(Path(path).resolve())

    async def connect() -> Connection:
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
        for statement in on_connect:
            conn.execute(statement)
        return Connection(conn, key, timeout)

    return connect
