"""Batch dispatch over ``HANDLERS``: one transaction per batch, already-seen event ids skipped.

Like :func:`chorus_common.consume.dispatcher`, but handlers receive runs of consecutive
events of one type, so routing can read and write a whole batch of posts in a few statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby

from chorus_common.bus.loop import BatchHandler
from chorus_common.consume import fresh_events, record_processed
from chorus_common.events import Envelope

from chorus_router import models
from chorus_router.core import RouterCore
from chorus_router.handlers import HandlerFn


def batch_dispatcher(core: RouterCore, handlers: Mapping[str, HandlerFn]) -> BatchHandler:
    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in handlers]
        if not wanted:
            return
        async with core.unit() as uow:
            fresh = await fresh_events(uow.session, core.runtime.dialect, models.processed, wanted)
            for handler, run in groupby(fresh, key=lambda e: handlers[e.type]):
                await handler(list(run), uow=uow)
            await record_processed(uow.session, core.runtime.dialect, models.processed, fresh)

    return handle
