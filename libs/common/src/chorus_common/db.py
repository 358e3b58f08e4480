"""Async SQLAlchemy helpers: engine, sessions, dialect-aware insert-ignore, migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and its directory created."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


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
