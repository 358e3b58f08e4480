"""SQLite WAL checkpoints from a background thread instead of inline in a commit."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from chorus_common.persistence import db
from chorus_common.runtime import Runtime
from chorus_common.settings import CommonSettings
from sqlalchemy import text

ROUNDS = 30
ROWS = 50
BLOB = 2048  # 50 rows of 2 KB: ~25 pages of WAL per transaction


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def _ran_twice_more(checkpointer: db.WalCheckpointer) -> Callable[[], bool]:
    seen = checkpointer.runs
    return lambda: checkpointer.runs >= seen + 2


async def _write_rounds(path: Path, checkpointer: db.WalCheckpointer | None) -> int:
    """WAL file size after ROUNDS write transactions (each waits for two checkpoints, if any)."""
    engine = db.make_engine(
        f"sqlite+aiosqlite:///{path}", wal_autocheckpoint=db.SQLITE_BACKSTOP_PAGES
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))
        if checkpointer is not None:
            checkpointer.start()
        for _ in range(ROUNDS):
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO t (v) VALUES (:v)"),
                    [{"v": os.urandom(BLOB)} for _ in range(ROWS)],
                )
            if checkpointer is not None:
                await _until(_ran_twice_more(checkpointer))
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
        assert count == ROUNDS * ROWS
        return Path(f"{path}-wal").stat().st_size
    finally:
        if checkpointer is not None:
            checkpointer.stop()
        await engine.dispose()


@pytest.mark.integration
async def test_background_checkpoints_keep_the_wal_small(tmp_path: Path) -> None:
    without = await _write_rounds(tmp_path / "a.db", None)
    ckpt = db.WalCheckpointer(str(tmp_path / "b.db"), interval_s=0.01)
    with_ckpt = await _write_rounds(tmp_path / "b.db", ckpt)
    written = ROUNDS * ROWS * BLOB
    assert without > written, "no inline checkpoint below the backstop: the WAL holds it all"
    assert with_ckpt < written / 5, (with_ckpt, written)
    assert ckpt.failures == 0
    assert ckpt._thread is not None and not ckpt._thread.is_alive(), "stopped"


@pytest.mark.integration
async def test_writers_never_wait_for_the_checkpointer(tmp_path: Path) -> None:
    """Checkpoints every millisecond while 300 transactions write and read: none fails, none
    is slowed into SQLite's busy handler."""
    path = tmp_path / "c.db"
    engine = db.make_engine(
        f"sqlite+aiosqlite:///{path}", wal_autocheckpoint=db.SQLITE_BACKSTOP_PAGES
    )
    ckpt = db.WalCheckpointer(str(path), interval_s=0.001)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))
        ckpt.start()
        slowest = 0.0
        for i in range(300):
            started = time.perf_counter()
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": os.urandom(4096)})
                total = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
            assert total == i + 1
            slowest = max(slowest, time.perf_counter() - started)
        assert ckpt.runs > 0 and ckpt.failures == 0
        # the busy handler's first sleep alone would be ~1 ms per retry, repeated; a blocked
        # writer would wait for whole checkpoints
        assert slowest < 0.5, slowest
    finally:
        ckpt.stop()
        await engine.dispose()


@pytest.mark.unit
def test_sqlite_file_of_urls() -> None:
    assert db.sqlite_file("sqlite+aiosqlite:////var/x/router.db") == "/var/x/router.db"
    assert db.sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert db.sqlite_file("postgresql+asyncpg://u@h/db") is None


@pytest.mark.integration
async def test_runtime_runs_a_checkpointer_for_its_sqlite_file(tmp_path: Path) -> None:
    from chorus_common.messaging.bus.memory import MemoryBroker
    from chorus_common.messaging.outbox import outbox_table
    from sqlalchemy import MetaData

    metadata = MetaData()
    table = outbox_table(metadata, "outbox")

    async def run(seconds: float) -> db.WalCheckpointer | None:
        settings = CommonSettings(
            service_name="t",
            database_url=f"sqlite+aiosqlite:///{tmp_path}/rt{seconds}.db",
            sqlite_checkpoint_seconds=seconds,
            migrate_on_start=False,
            consumer_enabled=False,
        )
        rt = Runtime(
            settings,
            metadata=metadata,
            migrations=tmp_path,
            outbox_table=table,
            bus=MemoryBroker(partitions=1),
        )
        await rt.start()
        assert rt.engine is not None
        async with rt.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        ckpt = rt.checkpointer
        try:
            if ckpt is not None:
                assert ckpt._thread is not None and ckpt._thread.is_alive()
                await _until(lambda: ckpt.runs > 0)
        finally:
            await rt.stop()
        assert rt.checkpointer is None
        return ckpt

    ckpt = await run(0.01)
    assert ckpt is not None and ckpt._thread is not None and not ckpt._thread.is_alive()
    assert await run(0) is None, "0 keeps SQLite's inline checkpoints"
