"""The idempotent dispatcher (one transaction per batch, event ids recorded with it) and the
process-level GC tuning of a served service."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from chorus_common.bus.memory import MemoryBroker
from chorus_common.consume import dispatcher
from chorus_common.events import CaseEvent, Envelope, make_event
from chorus_common.outbox import outbox_table, processed_table
from chorus_common.runtime import Runtime
from chorus_common.settings import CommonSettings
from chorus_common.startup import tune_gc
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

md = MetaData()
outbox = outbox_table(md, "t_outbox")
processed = processed_table(md, "t_processed")
applied = Table(
    "t_applied",
    md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(64), nullable=False),
)


def _event(i: int) -> Envelope:
    return make_event(
        "case.opened", CaseEvent(case_id=f"c{i}", thread_id=f"t{i}", status="new"), producer="t"
    )


async def _apply(event: Envelope, *, session: AsyncSession, runtime: Runtime) -> None:
    await session.execute(applied.insert().values(case_id=event.payload["case_id"]))


async def _started(db_url: str) -> Runtime:
    settings = CommonSettings(
        service_name="t", database_url=db_url, migrate_on_start=False, consumer_enabled=False
    )
    runtime = Runtime(
        settings,
        metadata=md,
        migrations=Path("unused"),
        outbox_table=outbox,
        bus=MemoryBroker(),
    )
    await runtime.start()
    assert runtime.engine is not None
    async with runtime.engine.begin() as conn:
        await conn.run_sync(md.create_all)
    return runtime


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_redelivered_and_repeated_events_are_applied_once_across_batch_sizes(
    db_url: str,
) -> None:
    runtime = await _started(db_url)
    try:
        handle = dispatcher(runtime, processed=processed, handlers={"case.opened": _apply})
        events = [_event(i) for i in range(7)]
        await handle([events[0], events[1], events[0]])  # a repeat inside one batch
        await handle(events[:5])  # a redelivery that overlaps, another batch size
        await handle(events)  # and once more, every size differs
        async with runtime.sessionmaker() as session:
            cases = sorted((await session.execute(select(applied.c.case_id))).scalars())
            recorded = len((await session.execute(select(processed.c.event_id))).all())
        assert cases == [f"c{i}" for i in range(7)]
        assert recorded == 7
    finally:
        await runtime.stop()


@pytest.mark.unit
def test_tune_gc_freezes_start_up_objects_and_raises_the_first_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    app = FastAPI()
    try:
        monkeypatch.delenv("GC_TUNE", raising=False)
        monkeypatch.delenv("GC_GEN0", raising=False)
        tune_gc(app)
        assert gc.get_threshold()[0] == 10_000
        assert gc.get_freeze_count() > 0
        assert app.state.gc_freeze is True
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.unit
def test_tune_gc_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.setenv("GC_TUNE", "0")
    app = FastAPI()
    tune_gc(app)
    assert gc.get_threshold() == before
    assert not getattr(app.state, "gc_freeze", False)
