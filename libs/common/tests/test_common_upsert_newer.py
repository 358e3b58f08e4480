"""The versioned bulk upsert (``bulk.upsert_newer``) used by set-based handlers, on both
databases, with the column types the responder's views use (JSON lists, aware datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from chorus_common.persistence import bulk
from chorus_common.persistence.db import make_engine, newest_by_key
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

md = MetaData()
view = Table(
    "t_view",
    md,
    Column("key", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
T0 = datetime(2026, 11, 21, 10, 0, 5, 123456, tzinfo=UTC)


def _row(key: str, status: str, version: int, tags: list[str] | None = None) -> dict[str, object]:
    return {
        "key": key,
        "status": status,
        "tags": tags if tags is not None else [status],
        "at": T0 + timedelta(minutes=version),
        "version": version,
    }


def _utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive (stored as UTC text), PostgreSQL aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    stmt = bulk.upsert_newer(engine.dialect.name, view, "key", "version")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(md.create_all)
        async with AsyncSession(engine) as session, session.begin():
            await bulk.run_dicts(
                session, stmt, [_row("a", "new", 2), _row("b", "new", 2), _row("c", "new", 2)]
            )
        async with AsyncSession(engine) as session, session.begin():
            await bulk.run_dicts(
                session,
                stmt,
                [
                    _row("a", "older", 1),  # ignored
                    _row("b", "same", 2, tags=[]),  # replaces (>=)
                    _row("c", "newer", 7, tags=["x", "y"]),  # replaces
                    _row("d", "first", 1),  # inserted
                ],
            )
        async with engine.connect() as conn:
            got = {
                r.key: (r.status, r.tags, _utc(r.at), r.version)
                for r in await conn.execute(select(view))
            }
        assert got == {
            "a": ("new", ["new"], T0 + timedelta(minutes=2), 2),
            "b": ("same", [], T0 + timedelta(minutes=2), 2),
            "c": ("newer", ["x", "y"], T0 + timedelta(minutes=7), 7),
            "d": ("first", ["first"], T0 + timedelta(minutes=1), 1),
        }
    finally:
        await engine.dispose()
