"""The driver-level bulk insert (``chorus_common.persistence.bulk``) and the writes built on it (outbox
staging, processed-id records): the same rows as SQLAlchemy's own executemany, on both
databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chorus_common.contracts.events import CaseEvent
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.messaging.consuming import claim_processed
from chorus_common.messaging.envelope import Envelope, event_key, make_event
from chorus_common.messaging.outbox import STAGED, Outbox, outbox_table, processed_table
from chorus_common.metrics import Metrics
from chorus_common.persistence import bulk, sqlite_fast
from chorus_common.persistence.db import make_engine, make_sessionmaker
from chorus_common.runtime import Runtime
from chorus_common.settings import CommonSettings
from sqlalchemy import (
    MetaData,
    Table,
    event,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.support.tables import all_kinds
from tests.support.wait import wait_for

md = MetaData()


via_bulk = all_kinds(md, "t_bulk")
via_orm = all_kinds(md, "t_orm")
outbox = outbox_table(md, "t_bulk_outbox")
processed = processed_table(md, "t_bulk_processed")

AT = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
LATER = AT + timedelta(hours=1)
# JSON values equal in Python but not as JSON ((1,), (True,), (1.0,)) must stay apart; a
# Python None in a JSON column is JSON null, as SQLAlchemy writes it. (Top-level JSON numbers
# are left out: SQLite's numeric affinity of a JSON column turns them into numbers.)
ROWS: list[dict[str, Any]] = [
    {"id": "a", "data": (1,), "at": AT, "flag": True, "ratio": 1.0, "n": 1, "raw": b"\x00a"},
    {"id": "b", "data": (True,), "at": AT, "flag": False, "ratio": 0.5, "n": 2, "raw": None},
    {"id": "c", "data": (1.0,), "at": None, "flag": True, "ratio": 2.0, "n": 3, "raw": b""},
    {
        "id": "d",
        "data": {"k": [1, "x"]},
        "at": LATER,
        "flag": True,
        "ratio": -1.25,
        "n": 4,
        "raw": b"d",
    },
    {"id": "e", "data": "text", "at": AT, "flag": False, "ratio": 0.0, "n": 5, "raw": b"e"},
    {"id": "f", "data": None, "at": AT, "flag": False, "ratio": 3.0, "n": 6, "raw": None},
]
READ_BACK = [[1], [True], [1.0], {"k": [1, "x"]}, "text", None]


async def _engine(db_url: str, fast: bool = False) -> AsyncEngine:
    engine = make_engine(db_url, sqlite_fast_path=fast)
    async with engine.begin() as conn:
        await conn.run_sync(md.create_all)
    return engine


@pytest.fixture(params=[False, True], ids=["sqlalchemy", "fast_path"])
def fast(request: pytest.FixtureRequest) -> bool:
    """Whether the engine is made with ``sqlite_fast_path`` (PostgreSQL ignores it)."""
    return bool(request.param)


def _driver_sql_inserts(engine: AsyncEngine) -> list[bool]:
    """For each INSERT the engine runs from now on: whether it ran as driver-ready SQL."""
    seen: list[bool] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cur: Any, sql: str, _params: Any, context: Any, _many: Any) -> None:
        if sql.startswith("INSERT"):
            seen.append(context.compiled is None)

    return seen


async def _all(engine: AsyncEngine, table: Table) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(table).order_by(table.c.id))
        return [dict(r._mapping) for r in rows]


def _utc(row: dict[str, Any]) -> dict[str, Any]:
    at = row["at"]  # SQLite gives naive UTC datetimes back, PostgreSQL aware ones
    return {**row, "at": at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at}


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_bulk_rows_read_back_like_sqlalchemy_executemany_rows(
    db_url: str, fast: bool
) -> None:
    engine = await _engine(db_url, fast)
    dialect = engine.dialect.name
    driver_sql = _driver_sql_inserts(engine)
    try:
        sm = make_sessionmaker(engine)
        async with sm() as session, session.begin():
            await bulk.run_dicts(session, bulk.insert_rows(dialect, via_bulk), ROWS)
            await session.execute(insert(via_orm), ROWS)
        assert driver_sql == [fast and dialect == "sqlite", False], "the path the engine picks"
        got, want = await _all(engine, via_bulk), await _all(engine, via_orm)
        assert got == want
        assert [_utc(r) for r in got] == [
            {**r, "data": d} for r, d in zip(ROWS, READ_BACK, strict=True)
        ]
        assert [type(r["data"][0]) for r in got[:3]] == [int, bool, float]
        async with engine.connect() as conn:
            for t in (via_bulk, via_orm):  # JSON null, not SQL NULL, in both
                nulls = await conn.execute(select(t.c.id).where(t.c.data.is_(None)))
                assert nulls.all() == [], t.name
    finally:
        await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_bulk_insert_ignore_keeps_the_first_of_repeated_keys(db_url: str, fast: bool) -> None:
    engine = await _engine(db_url, fast)
    dialect = engine.dialect.name
    stmt = bulk.insert_ignore(dialect, via_bulk)
    first, again = ROWS[0], {**ROWS[0], "n": 99}
    try:
        sm = make_sessionmaker(engine)
        async with sm() as session, session.begin():
            # A repeat inside one statement and a row already stored are both skipped.
            await bulk.run_dicts(session, stmt, [first, again])
            await bulk.run_dicts(session, stmt, [again, ROWS[1]])
        assert [(r["id"], r["n"]) for r in await _all(engine, via_bulk)] == [("a", 1), ("b", 2)]
    finally:
        await engine.dispose()


def _event(i: int) -> Envelope:
    payload = CaseEvent(case_id=f"c{i % 3}", thread_id=f"t{i}", status="new", version=i)
    return make_event("case.opened", payload, producer="t")


async def _relay_rig(
    db_url: str, name: str, **kw: Any
) -> tuple[AsyncEngine, MemoryBroker, Any, async_sessionmaker[AsyncSession], Outbox]:
    """An engine, a one-partition memory broker (the order sent is the order kept), its
    started producer, a session maker and an outbox relaying to it."""
    engine = await _engine(db_url)
    broker = MemoryBroker(partitions=1)
    producer = broker.producer()
    await producer.start()
    sm = make_sessionmaker(engine)
    return engine, broker, producer, sm, Outbox(outbox, sm, producer, Metrics(name), **kw)


async def _stage(sm: async_sessionmaker[AsyncSession], box: Outbox, evs: list[Envelope]) -> None:
    async with sm() as session, session.begin():
        await box.add(session, evs)


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_outbox_stages_events_in_order_and_relays_them_in_that_order(db_url: str) -> None:
    engine, broker, producer, sm, box = await _relay_rig(db_url, "t_bulk")
    events = [_event(i) for i in range(300)]
    try:
        async with sm() as session, session.begin():
            await box.add(session, events[:1])
            await box.add(session, events[1:])
            await box.add(session, [])
        async with engine.connect() as conn:
            staged = (await conn.execute(select(outbox).order_by(outbox.c.id))).all()
        assert [(r.topic, r.key, r.event_type, r.value) for r in staged] == [
            (e.topic, event_key(e), e.type, e.to_bytes()) for e in events
        ]
        assert all(r.created_at is not None for r in staged)
        assert await box.flush(limit=128) == 300
        sent = [r.value for r in broker.records(events[0].topic)]
        assert sent == [e.to_bytes() for e in events]
    finally:
        await producer.stop()
        await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_processed_id_is_claimed_once(db_url: str) -> None:
    engine = await _engine(db_url)
    dialect = engine.dialect.name
    events = [_event(i) for i in range(5)]
    try:
        sm = make_sessionmaker(engine)
        async with sm() as session, session.begin():
            await claim_processed(session, dialect, processed, events[:3])
            await claim_processed(session, dialect, processed, [])
        with pytest.raises(IntegrityError):  # another writer claimed events[2] first
            async with sm() as session, session.begin():
                await claim_processed(session, dialect, processed, events[2:])
        async with sm() as session, session.begin():
            await claim_processed(session, dialect, processed, events[3:])
        async with engine.connect() as conn:
            rows = (await conn.execute(select(processed))).all()
        assert sorted(r.event_id for r in rows) == sorted(str(e.event_id) for e in events)
        assert all(r.processed_at is not None for r in rows)
    finally:
        await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_commit_that_staged_events_wakes_the_relay_and_a_failure_waits_for_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, broker, producer, sm, box = await _relay_rig(db_url, "t_kick")
    events = [_event(i) for i in range(5)]
    topic = events[0].topic
    try:
        async with sm() as session, session.begin():  # rows an earlier process left
            rows = [(e.topic, event_key(e), e.type, e.to_bytes()) for e in events[:2]]
            await bulk.run(session, bulk.insert_rows(engine.dialect.name, outbox, STAGED), rows)

        async def failed_unit() -> None:
            async with sm() as session, session.begin():
                await box.add(session, events[2:])
                raise RuntimeError("the unit of work failed: nothing staged, nothing to wake")

        with pytest.raises(RuntimeError):
            await failed_unit()
        await box.flush_if_kicked()  # nobody kicked: the relay task's periodic pass
        assert broker.records(topic) == []
        await _stage(sm, box, events[2:3])  # its commit kicks
        await box.flush_if_kicked()
        assert [r.value for r in broker.records(topic)] == [e.to_bytes() for e in events[:3]]
        await box.flush_if_kicked()  # that kick is served
        assert len(broker.records(topic)) == 3

        await _stage(sm, box, events[3:])
        real = producer.send_many

        async def down(messages: Any) -> None:
            raise ConnectionError("broker unreachable")

        monkeypatch.setattr(producer, "send_many", down)
        await box.flush_if_kicked()  # logged, not raised: the batch is committed already
        assert len(broker.records(topic)) == 3
        monkeypatch.setattr(producer, "send_many", real)
        await box.flush_if_kicked()  # still kicked: sent now, in order, nothing doubled
        assert [r.value for r in broker.records(topic)] == [e.to_bytes() for e in events]
        async with engine.connect() as conn:
            assert (await conn.execute(select(outbox))).all() == []
    finally:
        await producer.stop()
        await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_the_relay_task_skips_a_wake_up_an_after_batch_flush_already_served(
    db_url: str,
) -> None:
    engine, broker, producer, sm, box = await _relay_rig(db_url, "t_skip", poll_seconds=30)
    flushes: list[int] = []  # every relay pass that selects pending rows
    real = box._flush_locked

    async def counted(limit: int = 2000) -> int:
        flushes.append(limit)
        return await real(limit)

    box._flush_locked = counted  # type: ignore[method-assign]
    events = [_event(i) for i in range(4)]
    topic = events[0].topic

    async def stage(evs: list[Envelope]) -> None:
        await _stage(sm, box, evs)  # its commit kicks

    await box.start()
    try:

        async def started() -> bool:
            return len(flushes) == 1  # the start-up pass

        await wait_for(started, timeout=10, what="the relay's first pass")
        await stage(events[:2])
        await box.flush_if_kicked()  # what a consumer does after its batch
        await stage(events[2:])  # left to the relay task

        async def relayed() -> bool:
            return len(broker.records(topic)) == 4

        await wait_for(relayed, timeout=10, what="the second batch relayed by the task")
        # start-up, after-batch, the task's one flush for the second kick: the wake-up of
        # the first kick found it served and selected nothing.
        assert len(flushes) == 3
        assert [r.value for r in broker.records(topic)] == [e.to_bytes() for e in events]
    finally:
        await box.stop()
        await producer.stop()
        await engine.dispose()


@pytest.mark.integration
@pytest.mark.timeout(60)
@pytest.mark.parametrize("setting", [True, False])
async def test_the_runtime_gives_its_engine_the_sqlite_fast_path_setting(
    sqlite_url: str, tmp_path: Any, setting: bool
) -> None:
    settings = CommonSettings(database_url=sqlite_url, sqlite_fast_path=setting).model_copy(
        update={"migrate_on_start": False, "consumer_enabled": False}
    )
    rt = Runtime(
        settings, metadata=md, migrations=tmp_path, outbox_table=outbox, bus=MemoryBroker()
    )
    await rt.start()
    try:
        async with rt.sessionmaker() as session:
            assert sqlite_fast.enabled(await session.connection()) is setting
    finally:
        await rt.stop()
