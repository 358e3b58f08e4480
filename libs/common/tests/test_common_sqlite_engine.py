"""The SQLite engine (aiosqlite, WAL, busy timeout): concurrent writers of one process all
commit, a failed transaction releases the write lock, readers are not blocked by a writer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from chorus_common.persistence import db
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
md = MetaData()
items = Table("items", md, Column("id", String, primary_key=True), Column("n", Integer))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/engine.db")
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
