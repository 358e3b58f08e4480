"""The consumer contract (one dispatcher: one unit of work per batch, event ids claimed with
it, handlers on runs of one type; the unit's commit wakes the relay) and the process-level GC
tuning of a served service."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from chorus_common.contracts.events import AlertEvent, CaseEvent, ReplyEvent
from chorus_common.messaging.bus.memory import MemoryBroker
from chorus_common.messaging.consuming import Transaction, dispatcher, transactions
from chorus_common.messaging.envelope import Envelope, make_event
from chorus_common.messaging.outbox import outbox_table, processed_table
from chorus_common.runtime import Runtime
from chorus_common.settings import CommonSettings
from chorus_common.startup import tune_gc
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from tests.support.wait import wait_for

md = MetaData()
outbox = outbox_table(md, "t_outbox")
processed = processed_table(md, "t_processed")
applied = Table(
    "t_applied",
    md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(64), nullable=False),
)


def _event(i: int, type_: str = "case.opened") -> Envelope:
    return make_event(
        type_, CaseEvent(case_id=f"c{i}", thread_id=f"t{i}", status="new"), producer="t"
    )


def _alert(i: int) -> Envelope:
    return make_event("alert.buzz", AlertEvent(alert_id=f"a{i}", subject="s"), producer="t")


async def _apply(events: list[Envelope], *, uow: Transaction) -> None:
    for e in events:
        await uow.session.execute(applied.insert().values(case_id=e.payload["case_id"]))


async def _started(db_url: str, **settings_kw: object) -> Runtime:
    settings = CommonSettings(
        service_name="t",
        database_url=db_url,
        migrate_on_start=False,
        consumer_enabled=False,
        **settings_kw,  # type: ignore[arg-type]
    )
    broker = MemoryBroker()
    runtime = Runtime(
        settings, metadata=md, migrations=Path("unused"), outbox_table=outbox, bus=broker
    )
    await runtime.start()
    assert runtime.engine is not None
    async with runtime.engine.begin() as conn:
        await conn.run_sync(md.create_all)
    return runtime


async def _applied(runtime: Runtime) -> list[str]:
    async with runtime.sessionmaker() as session:
        return list((await session.execute(select(applied.c.case_id))).scalars())


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_redelivered_and_repeated_events_are_applied_once_across_batch_sizes(
    db_url: str,
) -> None:
    runtime = await _started(db_url)
    try:
        handle = dispatcher({"case.opened": _apply}, transactions(runtime), processed=processed)
        events = [_event(i) for i in range(7)]
        await handle([events[0], events[1], events[0]])  # a repeat inside one batch
        await handle(events[:5])  # a redelivery that overlaps, another batch size
        await handle(events)  # and once more, every size differs
        async with runtime.sessionmaker() as session:
            recorded = len((await session.execute(select(processed.c.event_id))).all())
        assert sorted(await _applied(runtime)) == [f"c{i}" for i in range(7)]
        assert recorded == 7
    finally:
        await runtime.stop()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_handlers_get_runs_of_one_handler_in_order_after_prepare_saw_the_fresh_batch(
    db_url: str,
) -> None:
    runtime = await _started(db_url)
    calls: list[tuple[str, list[str]]] = []

    async def cases(events: list[Envelope], *, uow: Transaction) -> None:
        calls.append(("cases", [e.type for e in events]))

    async def alerts(events: list[Envelope], *, uow: Transaction) -> None:
        calls.append(("alerts", [e.payload["alert_id"] for e in events]))

    async def prepare(uow: Transaction, events: list[Envelope]) -> None:
        calls.append(("prepare", [str(e.event_id) for e in events]))

    try:
        handlers = {"case.opened": cases, "case.assigned": cases, "alert.buzz": alerts}
        handle = dispatcher(handlers, transactions(runtime), processed=processed, prepare=prepare)
        seen = _event(0)
        await handle([seen])
        calls.clear()
        batch = [seen, _event(1), _event(2, "case.assigned"), _alert(3), _alert(4), _event(5)]
        unknown = make_event(
            "reply.sent", ReplyEvent(reply_id="r", case_id="c", status="sent"), producer="t"
        )
        await handle([*batch, unknown])
        assert calls == [
            ("prepare", [str(e.event_id) for e in batch[1:]]),
            ("cases", ["case.opened", "case.assigned"]),
            ("alerts", ["a3", "a4"]),
            ("cases", ["case.opened"]),
        ]
    finally:
        await runtime.stop()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_without_processed_ids_every_delivery_is_applied(db_url: str) -> None:
    runtime = await _started(db_url)
    try:
        handle = dispatcher({"case.opened": _apply}, transactions(runtime), processed=None)
        await handle([_event(1)])
        await handle([_event(1)])
        async with runtime.sessionmaker() as session:
            assert (await session.execute(select(processed.c.event_id))).all() == []
        assert await _applied(runtime) == ["c1", "c1"]
    finally:
        await runtime.stop()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_a_unit_that_meets_another_writers_claim_is_redone_up_to_its_attempts(
    db_url: str,
) -> None:
    runtime = await _started(db_url)
    failures = [2]

    async def contended(events: list[Envelope], *, uow: Transaction) -> None:
        await _apply(events, uow=uow)
        if failures[0]:
            failures[0] -= 1
            raise IntegrityError("INSERT", None, Exception("another writer's claim"))

    try:
        events = [_event(1), _event(2)]
        once = dispatcher({"case.opened": contended}, transactions(runtime), processed=processed)
        with pytest.raises(IntegrityError):
            await once(events)
        thrice = dispatcher(
            {"case.opened": contended}, transactions(runtime), processed=processed, attempts=3
        )
        await thrice(events)
        assert sorted(await _applied(runtime)) == ["c1", "c2"]  # rolled back, applied once
    finally:
        await runtime.stop()


@pytest.mark.integration
@pytest.mark.timeout(60)
async def test_the_commit_of_a_unit_that_staged_events_wakes_the_relay(db_url: str) -> None:
    runtime = await _started(db_url, outbox_poll_seconds=3600.0)  # only a wake-up relays
    assert isinstance(runtime.bus, MemoryBroker)
    broker = runtime.bus
    out = _alert(9)

    @asynccontextmanager
    async def unit() -> AsyncIterator[Transaction]:
        async with transactions(runtime)() as tx:
            yield tx
            await runtime.publish(tx.session, [out])

    try:
        box = runtime.outbox
        handle = dispatcher({"case.opened": _apply}, transactions(runtime), processed=processed)
        kicks = box._kicks
        await handle([_event(1)])  # staged nothing: nothing to wake
        assert box._kicks == kicks
        handle = dispatcher({"case.opened": _apply}, unit, processed=processed)
        await handle([_event(2)])
        assert box._kicks == kicks + 1  # woken by the commit, before the handler returned

        async def relayed() -> list[bytes]:
            return [r.value for r in broker.records(out.topic)]

        assert await wait_for(relayed, timeout=10, what="the staged alert relayed") == [
            out.to_bytes()
        ]
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
        tune_gc(app, CommonSettings().gc_tune)
        assert gc.get_threshold()[0] == 10_000
        assert gc.get_freeze_count() > 0
        assert app.state.gc_freeze is True
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.unit
def test_tune_gc_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.setenv("GC_TUNE", "false")
    app = FastAPI()
    tune_gc(app, CommonSettings().gc_tune)
    assert gc.get_threshold() == before
    assert not getattr(app.state, "gc_freeze", False)
