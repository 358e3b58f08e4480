"""The one way posts enter Chorus: dedup, enrich, archive and publish in one transaction.

``Intake.submit`` takes normalized posts and rejected items of one request (or one poll
page) and, in a single database transaction, records the durable dedup state, archives the
raw body and the canonical posts, and stages ``post.received`` / ``dead_letter`` events in
the outbox. A crash before commit publishes nothing; after commit the relay delivers it.
``Intake.submit_grouped`` queues concurrent requests into one such transaction (group
commit); the statements it runs are :class:`~chorus_ingest.group_writer.GroupWriter`'s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from chorus_common.contracts.events import utcnow
from chorus_common.runtime import Runtime
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_ingest.batch import Batch, ItemResult, Rejected
from chorus_ingest.envelopes import dead_letter_event
from chorus_ingest.group_writer import Conflict, GroupWriter
from chorus_ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)

Hook = Callable[[AsyncSession], Awaitable[None]]
# Each attempt after a conflict sees the rows the other transaction committed, so a second
# conflict on the same posts needs a third writer; a few attempts are plenty.
CONFLICT_ATTEMPTS = 5


class Intake:
    """Dedup + enrich + archive + outbox; idempotent by post id and content, edits in order."""

    def __init__(
        self,
        runtime: Runtime,
        metrics: IngestMetrics,
        *,
        keep_raw: bool = True,
        group_window_s: float = 0.0,
        group_max_posts: int = 2000,
    ) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.writer = GroupWriter(runtime, keep_raw=keep_raw)
        self.group_window_s = group_window_s
        self.group_max_posts = group_max_posts
        self._queue: list[tuple[Batch, asyncio.Future[list[ItemResult]]]] = []
        self._queued_posts = 0
        self._full = asyncio.Event()
        self._drainer: asyncio.Task[None] | None = None
        self.groups = 0  # transactions committed by the group path (tests, metrics)

    async def submit_grouped(self, batch: Batch) -> list[ItemResult]:
        """Like :meth:`submit`, but concurrent requests share one transaction (group commit).

        The first request of a group waits at most ``group_window_s`` (or until
        ``group_max_posts`` are queued) for others; all are applied in one transaction, in
        arrival order, and the relay is woken once. If that transaction fails, each batch is
        retried alone, so one bad request cannot fail the others. Nothing is answered before
        its batch is committed.
        """
        if self.group_window_s <= 0:
            return await self.submit(batch)
        fut: asyncio.Future[list[ItemResult]] = asyncio.get_running_loop().create_future()
        self._queue.append((batch, fut))
        self._queued_posts += len(batch.posts) + len(batch.rejected)
        if self._queued_posts >= self.group_max_posts:
            self._full.set()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain(), name="ingest-group-commit")
        return await fut

    async def _drain(self) -> None:
        while self._queue:
            if not self._full.is_set():
                try:
                    await asyncio.wait_for(self._full.wait(), self.group_window_s)
                except TimeoutError:
                    pass
            group, self._queue = self._queue, []
            self._queued_posts = 0
            self._full.clear()
            try:
                results = await self._submit_many([b for b, _ in group])
                self.groups += 1
            except asyncio.CancelledError:
                for _batch, fut in [*group, *self._queue]:
                    if not fut.done():
                        fut.cancel()
                raise
            except Exception:
                log.warning("group commit failed; retrying its %d requests one by one", len(group))
                for batch, fut in group:
                    try:
                        one = await self.submit(batch)
                    except Exception as exc:
                        if not fut.done():
                            fut.set_exception(exc)
                    else:
                        if not fut.done():
                            fut.set_result(one)
                continue
            for (_batch, fut), res in zip(group, results, strict=True):
                if not fut.done():  # the client may have gone: its batch is committed anyway
                    fut.set_result(res)

    async def submit(self, batch: Batch, *, hook: Hook | None = None) -> list[ItemResult]:
        """Persist and publish one batch in one transaction; ``hook`` runs inside it too."""
        return (await self._submit_many([batch], hook=hook))[0]

    async def _submit_many(
        self, batches: list[Batch], *, hook: Hook | None = None
    ) -> list[list[ItemResult]]:
        """Apply ``batches`` in order in one transaction (then ``hook``); its commit wakes the relay.

        A concurrent transaction that recorded one of the same posts first makes this one
        roll back and decide again against what it recorded (optimistic concurrency)."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            now = utcnow()
            try:
                async with self.runtime.sessionmaker() as session, session.begin():
                    results = await self.writer.apply(session, batches, now)
                    if hook is not None:
                        await hook(session)
            except Conflict:
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                log.info("dedup state changed concurrently; deciding again",
                         extra={"attempt": attempt})  # fmt: skip
                continue
            break
        for b, r in zip(batches, results, strict=True):
            self._count(b.source, r)
        return results

    async def dead_letter(self, item: Rejected, *, source: str, trace_id: str) -> None:
        """Stage one dead letter (a payload rejected as a whole); its commit wakes the relay."""
        async with self.runtime.sessionmaker() as session, session.begin():
            await self.runtime.publish(
                session, [dead_letter_event(item, source=source, trace_id=trace_id)]
            )
        self.metrics.posts.labels(source, "rejected").inc()

    def _count(self, source: str, results: list[ItemResult]) -> None:
        tally: dict[str, int] = {}
        for r in results:
            tally[r.status] = tally.get(r.status, 0) + 1
        for status, n in tally.items():
            self.metrics.posts.labels(source, status).inc(n)
