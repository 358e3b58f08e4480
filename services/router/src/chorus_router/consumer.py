"""Batch dispatch over ``HANDLERS``: one transaction per batch, already-seen event ids skipped.

Like :func:`chorus_common.consume.dispatcher`, but handlers receive runs of consecutive
events of one type, so routing can read and write a whole batch of posts in a few statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby

from chorus_common.bus.loop import BatchHandler
from chorus_common.events import Envelope
from sqlalchemy import select

from chorus_router import models
from chorus_router.casestore import insert_ignore_many
from chorus_router.core import RouterCore
from chorus_router.handlers import HandlerFn


def batch_dispatcher(core: RouterCore, handlers: Mapping[str, HandlerFn]) -> BatchHandler:
    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in handlers]
        if not wanted:
            return
        p = models.processed
        async with core.unit() as uow:
            ids = list({str(e.event_id) for e in wanted})
            done: set[str] = set()
            for i in range(0, len(ids), 500):
                done.update(
                    (
                        await uow.session.execute(
                            select(p.c.event_id).where(p.c.event_id.in_(ids[i : i + 500]))
                        )
                    ).scalars()
                )
            fresh: list[Envelope] = []
            for e in wanted:
                eid = str(e.event_id)
                if eid not in done:
                    done.add(eid)
                    fresh.append(e)
            for handler, run in groupby(fresh, key=lambda e: handlers[e.type]):
                await handler(list(run), uow=uow)
            if fresh:
                await uow.session.execute(
                    insert_ignore_many(core.runtime.dialect, p, ("event_id",)),
                    [{"event_id": str(e.event_id)} for e in fresh],
                )

    return handle
