"""Idempotent dispatch of a consumer batch through a service's ``HANDLERS`` table."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_common import bulk, direct
from chorus_common.bus.loop import BatchHandler
from chorus_common.db import rows_with
from chorus_common.events import Envelope
from chorus_common.runtime import Runtime


class BatchApply(Protocol):
    """Applies a batch of fresh events (ids not yet processed) inside the caller's transaction."""

    def __call__(
        self, events: list[Envelope], *, session: AsyncSession, runtime: Runtime
    ) -> Awaitable[None]: ...


class EventHandler(Protocol):
    def __call__(
        self, event: Envelope, *, session: AsyncSession, runtime: Runtime
    ) -> Awaitable[None]: ...


async def fresh_events(
    session: AsyncSession,
    dialect: str,
    processed: Table,
    events: list[Envelope],
    chunk: int = 500,
) -> list[Envelope]:
    """``events`` minus those already recorded in ``processed`` and minus repeats (the first
    copy is kept), in order."""
    ids: dict[str, Envelope] = {}
    for e in events:
        ids.setdefault(str(e.event_id), e)
    done: set[str] = set()
    seen = rows_with(dialect, processed, "event_id")
    keys = list(ids)
    for i in range(0, len(keys), chunk):
        done.update(await direct.scalars(session, seen, {"ids": keys[i : i + chunk]}))
    return [e for eid, e in ids.items() if eid not in done]


async def record_processed(
    session: AsyncSession,
    dialect: str,
    processed: Table,
    events: list[Envelope],
) -> None:
    """Record the ids of applied events in the caller's transaction (idempotent)."""
    record = bulk.insert_ignore(dialect, processed, ("event_id",), ("event_id",))
    await bulk.run(session, record, [(str(e.event_id),) for e in events])


def dispatcher(
    runtime: Runtime, *, processed: Table, handlers: Mapping[str, EventHandler]
) -> BatchHandler:
    """A batch handler: one transaction; events whose id is already recorded are skipped.

    Handlers stage outgoing events with ``runtime.publish(session, …)``; the relay is woken
    once the transaction commits.
    """

    async def apply(events: list[Envelope], *, session: AsyncSession, runtime: Runtime) -> None:
        for e in events:
            await handlers[e.type](e, session=session, runtime=runtime)

    return bulk_dispatcher(runtime, processed=processed, types=set(handlers), apply=apply)


def bulk_dispatcher(
    runtime: Runtime, *, processed: Table | None, types: set[str], apply: BatchApply
) -> BatchHandler:
    """Like :func:`dispatcher`, but ``apply`` gets all fresh events of the batch at once.

    For set-based handlers: one statement per table for the whole batch instead of a few per
    event. Events of other types are ignored (and not recorded). ``processed=None`` is for
    handlers that are idempotent by themselves (e.g. versioned upserts, where applying an
    event twice or late changes nothing): no event ids are looked up or recorded.
    """

    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in types]
        if not wanted:
            return
        async with runtime.sessionmaker() as session, session.begin():
            if processed is None:
                await apply(wanted, session=session, runtime=runtime)
            else:
                fresh = await fresh_events(session, runtime.dialect, processed, wanted)
                if fresh:
                    await apply(fresh, session=session, runtime=runtime)
                await record_processed(session, runtime.dialect, processed, fresh)
        runtime.kick()

    return handle
