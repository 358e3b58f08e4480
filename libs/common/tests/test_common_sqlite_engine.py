"""The SQLite engine (aiosqlite, WAL): concurrent writers of one process all commit, a failed
transaction releases the write lock, readers are not blocked by a writer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from chorus_common.persistence import db
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

md = MetaData()
items = Table("items", md, Column("id", String, primary_key=True), Column("n", Integer))


async def _engine(tmp_path: Path) -> AsyncEngine:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/engine.db")
    async with engine.begin() as conn:
        await conn.run_sync(md.create_all)
    return engine


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(items))).scalar_one())


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_concurrent_writers_that_yield_inside_transactions_all_commit(
    tmp_path: Path,
) -> None:
    engine = await _engine(tmp_path)
    sm = db.make_sessionmaker(engine)

    async def writer(k: int) -> None:
        for i in range(20):
            async with sm() as session, session.begin():
                await session.execute(items.insert().values(id=f"{k}-{i}", n=i))
                await asyncio.sleep(0)  # another writer runs here while this one holds the lock
                await session.execute(items.update().where(items.c.id == f"{k}-{i}").values(n=-i))

    await asyncio.gather(*(writer(k) for k in range(12)))
    assert await _count(engine) == 240
    await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_failed_transaction_releases_the_write_lock(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    sm = db.make_sessionmaker(engine)

    async def failing_unit() -> None:
        async with sm() as session, session.begin():
            await session.execute(items.insert().values(id="lost", n=1))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_unit()
    async with sm() as session, session.begin():
        await session.execute(items.insert().values(id="kept", n=2))
    async with engine.connect() as conn:
        ids = set((await conn.execute(select(items.c.id))).scalars())
    assert ids == {"kept"}
    await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_readers_see_committed_rows_while_a_writer_holds_its_transaction(
    tmp_path: Path,
) -> None:
    engine = await _engine(tmp_path)
    sm = db.make_sessionmaker(engine)
    async with sm() as session, session.begin():
        await session.execute(items.insert().values(id="committed", n=1))
    async with sm() as writer, writer.begin():
        await writer.execute(items.insert().values(id="pending", n=2))
        assert await _count(engine) == 1  # a reader is neither blocked nor shown uncommitted rows
    assert await _count(engine) == 2
    await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_streamed_results_are_read_row_by_row(tmp_path: Path) -> None:
    engine = await _engine(tmp_path)
    async with engine.begin() as conn:
        await conn.execute(items.insert(), [{"id": f"r{i}", "n": i} for i in range(50)])
    async with engine.connect() as conn:
        result = await conn.stream(select(items.c.n).order_by(items.c.n))
        seen = [row.n async for row in result]
    assert seen == list(range(50))
    await engine.dispose()
