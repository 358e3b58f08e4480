"""The router's consumers: ``HANDLERS`` through the shared dispatcher, in the router's unit of
work (one locked transaction per batch; handlers get runs of consecutive events of one type,
so routing reads and writes a whole batch of posts in a few statements)."""

from __future__ import annotations

from collections.abc import Mapping

from chorus_common.messaging.bus.loop import BatchHandler
from chorus_common.messaging.consuming import Handler, dispatcher

from chorus_router import models
from chorus_router.core import RouterCore, Uow


def batch_dispatcher(core: RouterCore, handlers: Mapping[str, Handler[Uow]]) -> BatchHandler:
    return dispatcher(handlers, core.unit, processed=models.processed)
