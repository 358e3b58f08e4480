"""What the services' hot statements rely on, through SQLAlchemy's session on both databases:
an id list bound as one parameter (``in_list``) reads the rows SQLAlchemy types them as, the
statements share the session's transaction, a driver error is SQLAlchemy's, and an
executemany ``INSERT … RETURNING`` gives each row's values in order (none for a row an
``ON CONFLICT DO NOTHING`` skipped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from chorus_common.persistence import bulk
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
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.tables import all_kinds

md = MetaData()
kinds = all_kinds(md, "t_statements")
AT = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
ROWS: list[dict[str, Any]] = [
    {"id": "a", "data": {"k": [1, 2]}, "at": AT, "flag": True, "ratio": 0.5, "n": 1, "raw": b"x"},
    {"id": "b", "data": None, "at": None, "flag": False, "ratio": -1.25, "n": 2, "raw": None},
    {"id": "c", "data": [True, "é"], "at": AT, "flag": True, "ratio": 0.0, "n": 3, "raw": b""},
]


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
async def test_an_id_list_bound_as_one_parameter_reads_typed_rows(db_url: str) -> None:
    async with _db(db_url) as (dialect, sessions):
        stmt = select(kinds).where(in_list(dialect, kinds.c.id)).order_by(kinds.c.id)
        async with sessions() as session, session.begin():
            got = [dict(r) for r in (await session.execute(stmt, {"ids": ["c", "a"]})).mappings()]
            again = (await session.execute(stmt, {"ids": ["b", "c", "zz"]})).all()
        assert [r["id"] for r in got] == ["a", "c"]
        assert got[0]["data"] == {"k": [1, 2]} and got[0]["flag"] is True
        assert got[0]["raw"] == b"x" and got[1]["data"] == [True, "é"]
        assert got[0]["at"].replace(tzinfo=UTC) == AT
        assert [r.id for r in again] == ["b", "c"], "another list length, the same statement"


@pytest.mark.integration
async def test_statements_run_in_the_sessions_transaction(db_url: str) -> None:
    async with _db(db_url) as (dialect, sessions):
        by_id = delete(kinds).where(in_list(dialect, kinds.c.id))
        async with sessions() as session:
            await session.begin()
            await session.execute(insert(kinds), [{**ROWS[0], "id": "d"}])
            assert "d" in (await session.execute(select(kinds.c.id))).scalars().all()
            deleted = await session.execute(by_id, {"ids": ["a", "b", "zz"]})
            assert deleted.rowcount == 2  # type: ignore[attr-defined]
            renamed = update(kinds).where(kinds.c.id == bindparam("old")).values(n=bindparam("n"))
            assert (await session.execute(renamed, {"old": "c", "n": 30})).rowcount == 1  # type: ignore[attr-defined]
            await session.rollback()
            async with session.begin():
                rows = (await session.execute(select(kinds.c.id, kinds.c.n).order_by("id"))).all()
        assert [tuple(r) for r in rows] == [("a", 1), ("b", 2), ("c", 3)], "all rolled back"


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
            ids = (await session.execute(select(kinds.c.id).order_by(kinds.c.id))).scalars()
            assert ids.all() == ["a", "b", "c"], "the failed transaction left nothing"


serial = Table(
    "t_statements_serial",
    md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(16), nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
)


@pytest.mark.integration
async def test_insert_returning_many_rows_gives_each_rows_values_in_order(db_url: str) -> None:
    async with _db(db_url) as (dialect, sessions):
        numbered = insert(serial).returning(serial.c.id, serial.c.at, sort_by_parameter_order=True)
        ignore = insert_ignore_stmt(dialect, serial, ["name"]).returning(serial.c.name)
        rows = [{"name": n, "at": AT} for n in ("x", "y", "z")]
        async with sessions() as session, session.begin():
            got = (await session.execute(numbered, rows)).all()
            stored = (await session.execute(select(serial.c.id, serial.c.name))).all()
            again = [{"name": n, "at": AT} for n in ("y", "w", "x", "v")]
            won = (await session.execute(ignore, again)).scalars().all()
        by_name = {name: i for i, name in stored}
        assert [i for i, _ in got] == [by_name["x"], by_name["y"], by_name["z"]]
        assert [at.replace(tzinfo=UTC) for _, at in got] == [AT] * 3, "RETURNING converted"
        assert sorted(won) == ["v", "w"], "rows the conflict skipped return nothing"
