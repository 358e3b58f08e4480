"""Statements run straight on the inline SQLite driver (``chorus_common.persistence.direct``): the same rows
as SQLAlchemy gives, in the session's transaction, SQLAlchemy's errors, the write admission;
PostgreSQL and ``SQL_DIRECT=0`` take SQLAlchemy's path with the same results."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_common.persistence import bulk, direct, sqlite_inline
from chorus_common.persistence.db import in_list, insert_ignore_stmt, make_engine, make_sessionmaker
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.tables import all_kinds

md = MetaData()
kinds = all_kinds(md, "t_direct")
AT = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
ROWS: list[dict[str, Any]] = [
    {"id": "a", "data": {"k": [1, 2]}, "at": AT, "flag": True, "ratio": 0.5, "n": 1, "raw": b"x"},
    {"id": "b", "data": None, "at": None, "flag": False, "ratio": -1.25, "n": 2, "raw": None},
    {"id": "c", "data": [True, "é"], "at": AT, "flag": True, "ratio": 0.0, "n": 3, "raw": b""},
]
ALL = select(kinds).where(in_list("sqlite", kinds.c.id)).order_by(kinds.c.id)


def _all(dialect: str) -> Any:
    return select(kinds).where(in_list(dialect, kinds.c.id)).order_by(kinds.c.id)


@pytest.fixture
def seen() -> Iterator[list[str]]:
    """The statements run directly while the test runs."""
    log: list[str] = []

    def observe(sql: str, _params: Any) -> None:
        log.append(sql)

    direct.OBSERVERS.append(observe)
    try:
        yield log
    finally:
        direct.OBSERVERS.remove(observe)


@asynccontextmanager
async def _db(url: str) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    """The tables with ``ROWS`` stored: the dialect's name and a session factory."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(md.drop_all)
            await conn.run_sync(md.create_all)
            await conn.execute(insert(kinds), ROWS)
        yield engine.dialect.name, make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.mark.integration
async def test_direct_rows_are_the_rows_sqlalchemy_gives(db_url: str, seen: list[str]) -> None:
    async with _db(db_url) as (dialect, sessions):
        stmt = _all(dialect)
        async with sessions() as session, session.begin():
            expected = [
                dict(r) for r in (await session.execute(stmt, {"ids": ["a", "b", "c"]})).mappings()
            ]
            got = await direct.mappings(session, stmt, {"ids": ["c", "a", "b"]})
            tuples = await direct.rows(session, stmt, {"ids": ["a", "b", "c"]})
            ids = await direct.scalars(session, select(kinds.c.id).order_by(kinds.c.id))
        assert got == expected
        assert tuples == [tuple(r.values()) for r in expected]
        assert ids == ["a", "b", "c"]
        assert got[0]["data"] == {"k": [1, 2]} and got[0]["flag"] is True
        assert got[0]["raw"] == b"x" and got[1]["at"] is None
        assert got[0]["at"].replace(tzinfo=UTC) == AT
        # SQLite runs them directly; PostgreSQL (asyncpg) through SQLAlchemy.
        assert len(seen) == (3 if dialect == "sqlite" else 0)


@pytest.mark.integration
async def test_direct_statements_run_in_the_sessions_transaction(db_url: str) -> None:
    async with _db(db_url) as (dialect, sessions):
        by_id = delete(kinds).where(in_list(dialect, kinds.c.id))
        async with sessions() as session:
            await session.begin()
            await session.execute(insert(kinds), [{**ROWS[0], "id": "d"}])  # SQLAlchemy's write…
            assert "d" in await direct.scalars(session, select(kinds.c.id))  # …seen directly
            assert await direct.execute(session, by_id, {"ids": ["a", "b", "zz"]}) == 2
            renamed = update(kinds).where(kinds.c.id == bindparam("old")).values(n=bindparam("n"))
            assert await direct.execute(session, renamed, {"old": "c", "n": 30}) == 1
            left = await direct.scalars(session, select(kinds.c.id).order_by(kinds.c.id))
            assert left == ["c", "d"]
            await session.rollback()
            async with session.begin():
                rows = await direct.rows(
                    session, select(kinds.c.id, kinds.c.n).order_by(kinds.c.id)
                )
        assert rows == [("a", 1), ("b", 2), ("c", 3)], "the rollback undid every statement"


@pytest.mark.integration
async def test_driver_errors_are_sqlalchemys_and_the_transaction_rolls_back(db_url: str) -> None:
    async with _db(db_url) as (dialect, sessions):
        plain = bulk.insert_rows(dialect, kinds, ("id", "flag", "ratio", "n"))

        async def two_inserts() -> None:
            async with sessions() as session, session.begin():
                await bulk.run(session, plain, [("e", True, 1.0, 5)])
                await bulk.run(session, plain, [("a", True, 1.0, 5)])  # a stored key

        with pytest.raises(IntegrityError):
            await two_inserts()
        async with sessions() as session, session.begin():
            ids = await direct.scalars(session, select(kinds.c.id).order_by(kinds.c.id))
        assert ids == ["a", "b", "c"], "the failed transaction left nothing"


@pytest.mark.unit
async def test_a_direct_write_waits_for_the_writer_holding_the_database(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/w.db"
    async with _db(url) as (_, sessions):
        bump = update(kinds).where(kinds.c.id == "a").values(n=kinds.c.n + 1)
        lock = sqlite_inline.write_lock(str((tmp_path / "w.db").resolve()))
        async with sessions() as first:
            await first.begin()
            await first.execute(bump)
            assert lock.locked()

            async def second() -> None:
                async with sessions() as s, s.begin():
                    await direct.execute(s, bump)

            waiting = asyncio.create_task(second())
            for _ in range(20):  # let it run as far as it can
                await asyncio.sleep(0)
            assert not waiting.done(), "the direct write waits for the lock, not for SQLite"
            await first.commit()
            await asyncio.wait_for(waiting, 10)
        async with sessions() as s, s.begin():
            assert await direct.scalars(s, select(kinds.c.n).where(kinds.c.id == "a")) == [3]


@pytest.mark.unit
async def test_sql_direct_off_takes_sqlalchemys_path(
    tmp_path, seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _db(f"sqlite+aiosqlite:///{tmp_path}/off.db") as (_, sessions):
        async with sessions() as session, session.begin():
            on = await direct.mappings(session, ALL, {"ids": ["a", "b", "c"]})
            monkeypatch.setattr(direct, "ENABLED", False)
            off = await direct.mappings(session, ALL, {"ids": ["a", "b", "c"]})
        assert off == on and len(on) == 3
        assert len(seen) == 1, "only the first ran directly"


@pytest.mark.unit
async def test_a_missing_parameter_and_an_expanding_in_are_refused(tmp_path) -> None:
    async with (
        _db(f"sqlite+aiosqlite:///{tmp_path}/bad.db") as (_, sessions),
        sessions() as session,
        session.begin(),
    ):
        with pytest.raises(ArgumentError, match="'wanted'"):
            await direct.rows(session, select(kinds).where(kinds.c.id == bindparam("wanted")))
        expanding = select(kinds).where(kinds.c.id.in_(bindparam("ids", expanding=True)))
        with pytest.raises(ValueError, match="expanding"):
            await direct.rows(session, expanding, {"ids": ["a"]})
        # A value the statement carries needs no parameter; text() runs as well.
        assert await direct.scalars(session, select(kinds.c.n).where(kinds.c.id == "b")) == [2]
        assert await direct.scalars(session, text("SELECT count(*) FROM t_direct")) == [3]


serial = Table(
    "t_direct_serial",
    md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(16), nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
)


@pytest.mark.integration
async def test_insert_each_returns_each_rows_values_in_order(db_url: str, seen: list[str]) -> None:
    async with _db(db_url) as (dialect, sessions):
        numbered = insert(serial).returning(serial.c.id, serial.c.at, sort_by_parameter_order=True)
        ignore = insert_ignore_stmt(dialect, serial, ["name"]).returning(serial.c.name)
        rows = [{"name": n, "at": AT} for n in ("x", "y", "z")]
        async with sessions() as session, session.begin():
            got = await direct.insert_each(session, numbered, rows)
            stored = await direct.rows(session, select(serial.c.id, serial.c.name))
            again = [{"name": n, "at": AT} for n in ("y", "w", "x", "v")]
            won = await direct.insert_each(session, ignore, again)
        by_name = {name: i for i, name in stored}
        assert [i for i, _ in got] == [by_name["x"], by_name["y"], by_name["z"]]
        assert [at.replace(tzinfo=UTC) for _, at in got] == [AT] * 3, "RETURNING converted"
        assert sorted(won) == [("v",), ("w",)], "rows the conflict skipped return nothing"
        assert len([s for s in seen if "RETURNING" in s]) == (2 if dialect == "sqlite" else 0)
        assert await direct.insert_each(session, numbered, []) == []


@pytest.mark.unit
async def test_the_compiled_cache_does_not_keep_a_statement_alive(tmp_path) -> None:
    async with _db(f"sqlite+aiosqlite:///{tmp_path}/weak.db") as (_, sessions):
        async with sessions() as session, session.begin():
            built = select(kinds.c.id).where(kinds.c.n == bindparam("n"))
            assert await direct.scalars(session, built, {"n": 2}) == ["b"]
            assert await direct.mappings(session, built, {"n": 3}) == [{"id": "c"}]
            alive = weakref.ref(built)
            del built
            gc.collect()
        assert alive() is None, "a statement built per call is compiled per call, not kept"
