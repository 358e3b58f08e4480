"""The analytics consumer: ``HANDLERS`` through the shared dispatcher, in a :class:`Unit`.

Event ids already applied are skipped; the prefetch reads every row the batch's events read,
the handlers apply the events in order in memory, then the unit writes the facts, the
aggregates and the processed event ids in one transaction (offsets are committed after it,
by the loop). The ids are claimed with a plain INSERT, the unit's first write: if another
instance is applying some of the same events (one that lost its partitions and has not
noticed yet), this transaction waits for it, fails on the duplicate id, and is redone
without them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from chorus_common.contracts.events import CaseEvent, PostReceived, ReplyEvent
from chorus_common.messaging.bus.loop import BatchHandler
from chorus_common.messaging.consuming import dispatcher
from chorus_common.messaging.envelope import Envelope
from chorus_common.runtime import Runtime

from chorus_analytics import models, unit_write
from chorus_analytics.handlers import HANDLERS
from chorus_analytics.unit import Unit

CLAIM_ATTEMPTS = 5


def _keys(events: list[Envelope]) -> dict[str, set[str]]:
    """The primary keys of every row the batch's events read."""
    keys: dict[str, set[str]] = {"posts": set(), "cases": set(), "replies": set(), "members": set()}
    for e in events:
        p: Any = e.parsed()
        if isinstance(p, PostReceived):
            keys["posts"].add(p.post.id)
        elif isinstance(p, CaseEvent):
            keys["cases"].add(p.case_id)
            keys["posts"].update(p.post_ids)
            if p.latest_post_id:
                keys["posts"].add(p.latest_post_id)
            keys["members"].update(m for m in (p.assignee, p.previous_assignee) if m)
        elif isinstance(p, ReplyEvent):
            keys["replies"].add(p.reply_id)
            keys["cases"].add(p.case_id)
            if p.author_member_id:
                keys["members"].add(p.author_member_id)
    return keys


async def prefetch(unit: Unit, events: list[Envelope]) -> None:
    """Read every row the batch's fresh events read, one ``SELECT … IN`` per table."""
    await unit.prefetch(**_keys(events))


def units(runtime: Runtime) -> Callable[[], AbstractAsyncContextManager[Unit]]:
    """Analytics' unit of work: the batch's facts in memory, written just before the commit."""

    @asynccontextmanager
    async def open_unit() -> AsyncIterator[Unit]:
        async with runtime.sessionmaker() as session, session.begin():
            unit = Unit(session, runtime.dialect)
            yield unit
            await unit_write.write(unit)

    return open_unit


def batch_handler(runtime: Runtime) -> BatchHandler:
    """Apply a batch once (keyed by event id) in one transaction; see the module doc."""
    return dispatcher(
        HANDLERS,
        units(runtime),
        processed=models.processed,
        prepare=prefetch,
        attempts=CLAIM_ATTEMPTS,
    )
