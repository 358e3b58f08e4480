"""The analytics batch handler: skip events already applied, prefetch every row the batch
reads, apply the events in order in memory, then write the facts, the aggregates and the
processed event ids in one transaction (offsets are committed after it, by the loop)."""

from __future__ import annotations

from typing import Any

from chorus_common import bulk
from chorus_common.bus.loop import BatchHandler
from chorus_common.consume import fresh_events
from chorus_common.events import CaseEvent, Envelope, PostReceived, ReplyEvent
from chorus_common.runtime import Runtime
from sqlalchemy.exc import IntegrityError

from chorus_analytics import models, unit_write
from chorus_analytics.handlers import HANDLERS
from chorus_analytics.unit import IN_CHUNK, Unit


def _keys(parsed: list[tuple[Envelope, Any]]) -> dict[str, set[str]]:
    """The primary keys of every row the batch's events read."""
    keys: dict[str, set[str]] = {"posts": set(), "cases": set(), "replies": set(), "members": set()}
    for _, p in parsed:
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


CLAIM_ATTEMPTS = 5


def batch_handler(runtime: Runtime) -> BatchHandler:
    """Apply a batch once (keyed by event id) in one transaction; see the module doc.

    The event ids are claimed first, with a plain INSERT: if another instance is applying
    some of the same events (one that lost its partitions and has not noticed yet), this
    transaction waits for it, fails on the duplicate id, and is redone without them."""

    async def apply(wanted: list[Envelope]) -> None:
        async with runtime.sessionmaker() as session, session.begin():
            unit = Unit(session, runtime.dialect)
            fresh = await fresh_events(
                session, runtime.dialect, models.processed, wanted, chunk=IN_CHUNK
            )
            if not fresh:
                return
            ids = sorted((str(e.event_id),) for e in fresh)  # one lock order for all writers
            await bulk.run(session, unit_write.claim_processed(runtime.dialect), ids)
            parsed = [(e, e.parsed()) for e in fresh]
            await unit.prefetch(**_keys(parsed))
            for e, payload in parsed:
                await HANDLERS[e.type](e, payload, unit=unit)
            await unit_write.write(unit)

    async def handle(events: list[Envelope]) -> None:
        wanted = [e for e in events if e.type in HANDLERS]
        if not wanted:
            return
        for attempt in range(CLAIM_ATTEMPTS):
            try:
                await apply(wanted)
                break
            except IntegrityError:
                if attempt == CLAIM_ATTEMPTS - 1:
                    raise
        runtime.kick()

    return handle
