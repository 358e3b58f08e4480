"""Idempotent dispatch of a consumer batch through a service's ``HANDLERS`` table."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Protocol

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from chorus_common.bus.loop import BatchHandler
from chorus_common.db import insert_ignore_stmt
from chorus_common.events import Envelope
from chorus_common.runtime import Runtime


class EventHandler(Protocol):
    def __call__(
        self, event: Envelope, *, session: AsyncSession, runtime: Runtime
    ) -> Awaitable[None]: ...


def dispatcher(
    runtime: Runtime, *, processed: Table, handlers: Mapping[str, EventHandler]
) -> BatchHandler:
    """A batch handler: one transaction; events whose id is already recorded are skipped.

    Handlers stage outgoing events with ``runtime.publish(session, …)``; the relay is woken
    once the transaction commits.
    """

    statements: dict[str, Insert] = {}  # by dialect; the engine exists only once started

    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in handlers]
        if not wanted:
            return
        ids = list({str(e.event_id) for e in wanted})
        async with runtime.sessionmaker() as session, session.begin():
            done = set(
                (
                    await session.execute(
                        select(processed.c.event_id).where(processed.c.event_id.in_(ids))
                    )
                ).scalars()
            )
            seen: set[str] = set()
            fresh: list[Envelope] = []
            for e in wanted:
                eid = str(e.event_id)
                if eid not in done and eid not in seen:
                    seen.add(eid)
                    fresh.append(e)
            for e in fresh:
                await handlers[e.type](e, session=session, runtime=runtime)
            if fresh:
                # One cached statement run as executemany: a multi-row VALUES of a new
                # length would be compiled again for every batch size.
                dialect = runtime.dialect
                record = statements.get(dialect)
                if record is None:
                    record = statements[dialect] = insert_ignore_stmt(
                        dialect, processed, ["event_id"]
                    )
                await session.execute(record, [{"event_id": str(e.event_id)} for e in fresh])
        runtime.kick()

    return handle
