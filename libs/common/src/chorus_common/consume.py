"""Idempotent dispatch of a consumer batch through a service's ``HANDLERS`` table."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Protocol

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_common.bus.loop import BatchHandler
from chorus_common.db import insert_ignore
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
                await session.execute(
                    insert_ignore(
                        runtime.dialect,
                        processed,
                        [{"event_id": str(e.event_id)} for e in fresh],
                        ["event_id"],
                    )
                )
        runtime.kick()

    return handle
