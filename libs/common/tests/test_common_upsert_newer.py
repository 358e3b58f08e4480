"""The versioned upsert (``db.upsert_newer_stmt``) used by set-based handlers, on both databases."""

from __future__ import annotations

import pytest
from chorus_common.db import make_engine, newest_by_key, upsert_newer_stmt
from sqlalchemy import Column, Integer, MetaData, String, Table, select

md = MetaData()
view = Table(
    "t_view",
    md,
    Column("key", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
)


@pytest.mark.unit
def test_newest_by_key_keeps_highest_version_and_later_row_on_tie() -> None:
    rows = [
        {"key": "a", "status": "v1", "version": 1},
        {"key": "b", "status": "v5", "version": 5},
        {"key": "a", "status": "v3", "version": 3},
        {"key": "b", "status": "v4", "version": 4},
        {"key": "a", "status": "v3-again", "version": 3},
    ]
    kept = {r["key"]: r["status"] for r in newest_by_key(rows, "key", "version")}
    assert kept == {"a": "v3-again", "b": "v5"}


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_upsert_newer_inserts_replaces_and_ignores_older(db_url: str) -> None:
    engine = make_engine(db_url)
    dialect = engine.dialect.name
    stmt = upsert_newer_stmt(dialect, view, "key", "version")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(md.create_all)
            await conn.execute(
                stmt,
                [
                    {"key": "a", "status": "new", "version": 2},
                    {"key": "b", "status": "new", "version": 2},
                    {"key": "c", "status": "new", "version": 2},
                ],
            )
        async with engine.begin() as conn:
            await conn.execute(
                stmt,
                [
                    {"key": "a", "status": "older", "version": 1},  # ignored
                    {"key": "b", "status": "same", "version": 2},  # replaces (>=)
                    {"key": "c", "status": "newer", "version": 7},  # replaces
                    {"key": "d", "status": "first", "version": 1},  # inserted
                ],
            )
        async with engine.connect() as conn:
            got = {r.key: (r.status, r.version) for r in await conn.execute(select(view))}
        assert got == {
            "a": ("new", 2),
            "b": ("same", 2),
            "c": ("newer", 7),
            "d": ("first", 1),
        }
    finally:
        await engine.dispose()
