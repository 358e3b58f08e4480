"""The SQLite engine (aiosqlite, WAL, busy timeout), with SQLAlchemy's driver adapter and with
the fast path's: concurrent writers of one process all commit, a failed transaction releases
the write lock, readers are not blocked by a writer; the fast path's adapter returns what
SQLAlchemy's does, raises the same errors, and makes one trip to the driver's thread per
statement."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from chorus_common.persistence import db
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
md = MetaData()
items = Table("items", md, Column("id", String, primary_key=True), Column("n", Integer))


@pytest.fixture(params=[False, True], ids=["sqlalchemy-adapter", "fast-path"])
async def engine(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    made = db.make_engine(
        f"sqlite+aiosqlite:///{tmp_path}/engine.db", sqlite_fast_path=request.param
    )
    async with made.begin() as conn:
        await conn.run_sync(md.create_all)
    yield made
    await made.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return db.make_sessionmaker(engine)


async def _ids(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(select(items.c.id))).scalars())


async def test_concurrent_writers_that_yield_inside_transactions_all_commit(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async def writer(k: int) -> None:
        for i in range(20):
            async with sessions() as session, session.begin():
                await session.execute(items.insert().values(id=f"{k}-{i}", n=i))
                await asyncio.sleep(0)  # another writer runs here while this one holds the lock
                await session.execute(items.update().where(items.c.id == f"{k}-{i}").values(n=-i))

    await asyncio.gather(*(writer(k) for k in range(12)))
    assert len(await _ids(engine)) == 240


async def test_a_failed_transaction_releases_the_write_lock(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async def failing_unit() -> None:
        async with sessions() as session, session.begin():
            await session.execute(items.insert().values(id="lost", n=1))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_unit()
    async with sessions() as session, session.begin():
        await session.execute(items.insert().values(id="kept", n=2))
    assert await _ids(engine) == {"kept"}


async def test_readers_see_committed_rows_while_a_writer_holds_its_transaction(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(items.insert().values(id="committed", n=1))
    async with sessions() as writer, writer.begin():
        await writer.execute(items.insert().values(id="pending", n=2))
        async with engine.connect() as conn:  # neither blocked nor shown uncommitted rows
            count = (await conn.execute(select(func.count()).select_from(items))).scalar_one()
        assert count == 1
    assert await _ids(engine) == {"committed", "pending"}


async def _driver_jobs(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What one statement of each kind returns, and how many jobs it sent to the driver's thread."""
    jobs = 0
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kw: Any) -> Any:
        nonlocal jobs
        jobs += 1
        return await real(self, fn, *args, **kw)

    out: dict[str, Any] = {}
    async with engine.connect() as conn:
        await conn.execute(select(1))  # the connection is open before counting
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        many = await conn.execute(items.insert(), [{"id": f"m{i}", "n": i} for i in range(3)])
        out["inserted"] = many.rowcount
        jobs = 0
        rows = await conn.execute(select(items.c.id, items.c.n).order_by(items.c.id))
        out["select jobs"] = jobs
        out["rows"] = [tuple(r) for r in rows]
        parts = await conn.execute(select(items.c.id).order_by(items.c.id))
        out["partitions"] = [[r.id for r in part] for part in parts.partitions(2)]
        changed = await conn.execute(items.update().where(items.c.n >= 1).values(n=items.c.n + 10))
        out["updated"] = changed.rowcount
        with pytest.raises(IntegrityError):
            await conn.execute(items.insert().values(id="m0", n=0))
        await conn.rollback()
        monkeypatch.setattr(aiosqlite.Connection, "_execute", real)
    return out


async def test_the_fast_adapter_answers_as_sqlalchemys_in_one_trip_per_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[bool, dict[str, Any]] = {}
    for on in (False, True):
        made = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/{on}.db", sqlite_fast_path=on)
        try:
            async with made.begin() as conn:
                await conn.run_sync(md.create_all)
            seen[on] = await _driver_jobs(made, monkeypatch)
        finally:
            await made.dispose()
    plain, fast = seen[False], seen[True]
    assert fast["select jobs"] == 1
    assert plain["select jobs"] >= 3, "SQLAlchemy's adapter: cursor, execute, fetch, close"
    del plain["select jobs"], fast["select jobs"]
    assert fast == plain
    assert fast["rows"] == [("m0", 0), ("m1", 1), ("m2", 2)]
    assert fast["partitions"] == [["m0", "m1"], ["m2"]]
    assert (fast["inserted"], fast["updated"]) == (3, 2)
