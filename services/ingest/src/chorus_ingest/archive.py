"""Archive replay and retention: republish what was accepted; purge what is past retention."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

import orjson
from chorus_common.contracts.events import utcnow
from chorus_common.runtime import Runtime
from sqlalchemy import delete, select

from chorus_ingest import models
from chorus_ingest.envelopes import post_event
from chorus_ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)
PAGE = 1000


async def replay(
    runtime: Runtime,
    *,
    since: datetime,
    until: datetime | None,
    platform: str | None,
    limit: int,
) -> tuple[int, bool]:
    """Republish archived posts received in [since, until) as ``post.received`` (same post ids).

    Each page is staged in the outbox in its own transaction; consumers are idempotent by
    post id, so replaying twice is safe. Returns (count, truncated).
    """
    t = models.archive
    trace_id = uuid.uuid4().hex
    last_id = 0
    count = 0
    while count < limit:
        stmt = select(t.c.id, t.c.revision, t.c.post).where(
            t.c.id > last_id, t.c.received_at >= since
        )
        if until is not None:
            stmt = stmt.where(t.c.received_at < until)
        if platform:
            stmt = stmt.where(t.c.platform == platform)
        stmt = stmt.order_by(t.c.id).limit(min(PAGE, limit - count))
        async with runtime.sessionmaker() as session, session.begin():
            rows = (await session.execute(stmt)).all()
            if not rows:
                break
            now = utcnow()
            events = [
                post_event(
                    orjson.loads(r.post),
                    update=r.revision > 1,
                    revision=r.revision,
                    now=now,
                    trace_id=trace_id,
                )
                for r in rows
            ]
            await runtime.publish(session, events)
        last_id = rows[-1].id
        count += len(rows)
    truncated = count >= limit
    log.info("archive replayed", extra={"count": count, "truncated": truncated})
    return count, truncated


async def purge(runtime: Runtime, *, retention: timedelta, now: datetime | None = None) -> int:
    """Delete archived posts and raw bodies older than ``retention``; returns posts deleted."""
    cutoff = (now or utcnow()) - retention
    async with runtime.sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(models.archive).where(models.archive.c.received_at < cutoff)
        )
        await session.execute(
            delete(models.raw_payloads).where(models.raw_payloads.c.received_at < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_forever(
    runtime: Runtime, metrics: IngestMetrics, *, retention: timedelta, interval: float
) -> None:
    """Background task: purge now, then every ``interval`` seconds; errors are logged, not fatal."""
    while True:
        try:
            deleted = await purge(runtime, retention=retention)
            metrics.archive_purged.inc(deleted)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("archive purge failed; will retry")
        await asyncio.sleep(interval)
