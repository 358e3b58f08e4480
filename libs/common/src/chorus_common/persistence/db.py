"""Async SQLAlchemy helpers: engine, sessions, dialect-aware insert-ignore, migrations."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    any_,
    bindparam,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

from chorus_common.persistence import sqlite_fast

SQLITE_BUSY_TIMEOUT_S = 30.0
# SQLite's own default: a commit that takes the WAL past this many pages checkpoints inline.
SQLITE_AUTOCHECKPOINT_PAGES = 1000
# With a background checkpointer the inline one is only a backstop against a runaway WAL.
SQLITE_BACKSTOP_PAGES = 10_000


def _json_dumps(value: Any) -> str:
    # orjson for JSON columns: every case row carries JSON, and the standard encoder is slow.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


JSON_ARGS: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(
    url: str,
    *,
    echo: bool = False,
    wal_autocheckpoint: int = SQLITE_AUTOCHECKPOINT_PAGES,
    sqlite_fast_path: bool = False,
) -> AsyncEngine:
    """Create the engine; SQLite (aiosqlite) gets WAL, a busy timeout and its directory created.

    ``wal_autocheckpoint`` is the WAL size (pages) at which a committing connection
    checkpoints inline; with a :class:`WalCheckpointer` running, pass the higher backstop
    :data:`SQLITE_BACKSTOP_PAGES`. ``sqlite_fast_path`` (the ``SQLITE_FAST_PATH`` setting):
    statements and bulk writes on SQLite take :mod:`chorus_common.persistence.sqlite_fast`.
    """
    if not url.startswith("sqlite"):
        return create_async_engine(
            url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True, **JSON_ARGS
        )
    path = make_url(url).database or ":memory:"
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
        **({"module": sqlite_fast.driver()} if sqlite_fast_path else {}),
        **JSON_ARGS,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA wal_autocheckpoint={int(wal_autocheckpoint)}")
        cur.close()

    return engine


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL; None for other databases and ``:memory:``."""
    if not url.startswith("sqlite"):
        return None
    path = make_url(url).database
    return path if path and path != ":memory:" else None


class WalCheckpointer:
    """Checkpoints a SQLite file's WAL from a thread of its own, every ``interval_s``.

    A connection whose commit takes the WAL past ``wal_autocheckpoint`` pages runs the
    checkpoint itself: it copies the WAL back into the database file and syncs both inside
    that commit, which then holds the write lock (and its unit of work) for as long. Here the
    copy and the syncs run on this thread (sqlite3 releases the GIL while it works). ``PASSIVE`` checkpoints never wait for
    a lock and never block writers or readers; whatever they could not copy (frames a reader
    still needs) is copied by a later one, and once everything is copied the next writer
    starts the WAL over from the beginning, so the file stops growing.
    """

    def __init__(self, path: str, interval_s: float = 0.5) -> None:
        self.path = path
        self.interval_s = interval_s
        self.runs = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WalCheckpointer:
        self._thread = threading.Thread(
            target=self._run, name=f"wal-checkpoint:{Path(self.path).name}", daemon=True
        )
        self._thread.start()
        return self

    def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        """One passive checkpoint: (busy, WAL frames, frames checkpointed)."""
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.runs += 1
        return int(row[0]), int(row[1]), int(row[2])

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while not self._stop.wait(self.interval_s):
            try:
                if conn is None:
                    if not Path(self.path).exists():
                        continue
                    conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S)
                self.checkpoint(conn)
            except sqlite3.Error:
                # e.g. the file was removed under us (tests); try again with a new connection
                self.failures += 1
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
    except Exception:
        return False
    return True


def insert_ignore(
    dialect: str,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    index_elements: Sequence[str] | None = None,
) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL."""
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(rows)
        return pg.on_conflict_do_nothing(index_elements=index_elements)
    lite = sqlite.insert(table).values(rows)
    return lite.on_conflict_do_nothing(index_elements=index_elements)


class _IdsAsJson(TypeDecorator[list[Any]]):
    """A list of ids bound as one JSON text (for SQLite's ``json_each``)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()


def in_list(dialect: str, column: ColumnElement[Any], name: str = "ids") -> ColumnElement[bool]:
    """``column IN :name`` where the whole list is *one* parameter: ``column = ANY($1)`` on
    PostgreSQL, ``column IN (SELECT value FROM json_each(?))`` on SQLite.

    The SQL text never changes, so it is compiled once and prepared once. An expanding ``IN``
    was re-rendered with one bind per id on every execution, and asyncpg prepared a new
    statement for every list length. Both forms search the column's index (SQLite's plan:
    ``SEARCH … USING INDEX … (col=?)`` over the JSON list)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    listed = func.json_each(bindparam(name, type_=_IdsAsJson())).table_valued("value")
    return column.in_(select(listed.c.value))


@functools.cache
def rows_with(dialect: str, table: Table, *columns: str) -> Select[Any]:
    """``SELECT columns (default: all) FROM table WHERE pk IN :ids``; run it with
    ``{"ids": [...]}`` (see :func:`in_list`)."""
    key = table.primary_key.columns.values()[0]
    cols = [table.c[c] for c in columns] if columns else [table]
    return select(*cols).where(in_list(dialect, key))


def insert_ignore_stmt(dialect: str, table: Table, index_elements: Sequence[str]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` without values: execute it with a list of rows.

    Built once per (dialect, table, keys) and reused, SQLAlchemy compiles it once and runs it
    as executemany; far cheaper per row than :func:`insert_ignore`, whose ``.values(...)`` is
    coerced, hashed for the cache key and (for a new number of rows) compiled on every call.
    """
    return _insert_ignore_stmt(dialect, table, tuple(index_elements))


@functools.cache
def _insert_ignore_stmt(dialect: str, table: Table, index_elements: tuple[str, ...]) -> Insert:
    base = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return base.on_conflict_do_nothing(index_elements=index_elements)


def newest_by_key(
    rows: Sequence[Mapping[str, Any]], key: str, version: str
) -> list[Mapping[str, Any]]:
    """One row per ``key``: the highest ``version``, the later row on a tie (first-seen order)."""
    best: dict[Any, Mapping[str, Any]] = {}
    for row in rows:
        k = row[key]
        kept = best.get(k)
        if kept is None or row[version] >= kept[version]:
            best[k] = row
    return list(best.values())


def alembic_config(script_location: Path, version_table: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["version_table"] = version_table
    return cfg


async def upgrade(engine: AsyncEngine, script_location: Path, version_table: str) -> None:
    """Run this service's Alembic migrations to head on ``engine``."""
    cfg = alembic_config(script_location, version_table)

    def _run(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(_run)
