"""Transactional outbox: events are written in the same transaction as the state change,
then relayed to the broker and deleted once acknowledged.

A crash between commit and relay loses nothing (the rows wait for the next relay); a crash
between the broker's ack and the delete re-sends them, which consumers absorb because every
handler is idempotent by ``event_id``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete

from chorus_common.messaging.bus.base import OutMessage, Producer
from chorus_common.messaging.envelope import Envelope, event_key
from chorus_common.metrics import Metrics
from chorus_common.persistence import bulk
from chorus_common.persistence.db import in_list
from chorus_common.retrying import until_it_works

log = logging.getLogger(__name__)


def outbox_table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("topic", String(128), nullable=False),
        Column("key", String(600), nullable=True),
        Column("event_type", String(64), nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    )


def processed_table(metadata: MetaData, name: str) -> Table:
    """Event ids already applied by a consumer: the idempotency key of at-least-once delivery."""
    return Table(
        name,
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    )


STAGED = ("topic", "key", "event_type", "value")
# The outbox a session staged events in, kept in ``session.info`` until its commit wakes it.
_STAGED_IN = "chorus.outbox"


def _wake_after_commit(session: Session) -> None:
    """Every unit of work wakes the relay of the outbox it staged events in, once committed."""
    box = session.info.pop(_STAGED_IN, None)
    if box is not None:
        box.kick()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_STAGED_IN, None)


def _listen_for_commits() -> None:
    """Once per process, on every session (a dict look-up per commit for those that staged none)."""
    if not orm_event.contains(Session, "after_commit", _wake_after_commit):
        orm_event.listen(Session, "after_commit", _wake_after_commit)
        orm_event.listen(Session, "after_rollback", _forget_after_rollback)


@functools.cache
def _delete(dialect: str, table: Table) -> Delete:
    """Delete relayed rows by id (the whole id list one parameter: compiled once)."""
    return delete(table).where(in_list(dialect, table.c.id))


class Outbox:
    def __init__(
        self,
        table: Table,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: Producer,
        metrics: Metrics,
        poll_seconds: float = 1.0,
    ) -> None:
        self.table = table
        self._sessionmaker = sessionmaker
        self._producer = producer
        self._metrics = metrics
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        # Kicks so far, and the kicks a completed flush covered (it started after them): the
        # relay task skips a wake-up whose kick a consumer's after-batch flush already served.
        self._kicks = 0
        self._covered = 0
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        _listen_for_commits()
        # Built once: statement construction cost more than running them on SQLite.
        self._pending = (
            select(table.c.id, table.c.topic, table.c.key, table.c.event_type, table.c.value)
            .order_by(table.c.id)
            .limit(bindparam("limit"))
            # Several instances of a service may share one PostgreSQL database: each relays
            # rows the others have not locked.
            .with_for_update(skip_locked=True)
        )

    async def add(self, session: AsyncSession, events: Iterable[Envelope]) -> None:
        """Stage events in the caller's transaction (not idempotent: call once per change);
        its commit wakes the relay."""
        rows = [(e.topic, event_key(e), e.type, e.to_bytes()) for e in events]
        if rows:
            session.info[_STAGED_IN] = self
            # Rows keep the order given (ids ascend with it: the relay sends in id order), on
            # PostgreSQL too: the rows of ``unnest`` come out, and take their ids, in array order.
            stmt = bulk.insert_rows(session.get_bind().dialect.name, self.table, STAGED)
            await bulk.run(session, stmt, rows)

    def kick(self) -> None:
        """Wake the relay: the commit of a transaction that staged events calls it."""
        self._kicks += 1
        self._wake.set()

    async def flush_if_kicked(self) -> None:
        """Relay now, in the caller's task, if a commit staged events since the last flush.

        A consumer calls this between batches: the relay task would otherwise send a batch's
        events only after the next batch's unit of work, which keeps the event loop busy while
        it runs, so every event waited one extra unit. A failure is left to the
        relay task (it retries with back-off); the events are committed.
        """
        if self._stopping or self._covered >= self._kicks:
            return
        try:
            async with self._flush_lock:
                if self._covered >= self._kicks:  # the relay task served it while we waited
                    return
                await self._flush_locked()
        except asyncio.CancelledError:
            raise
        except Exception:
            # The kick stays uncovered: the relay task, which the kick woke, flushes it.
            log.warning("relay after batch failed; the relay task will retry", exc_info=True)

    async def flush(self, limit: int = 2000) -> int:
        """Publish pending rows in id order and delete them once acknowledged."""
        async with self._flush_lock:
            return await self._flush_locked(limit)

    async def _flush_locked(self, limit: int = 2000) -> int:
        """:meth:`flush`, the caller holding the flush lock."""
        sent = 0
        covers = self._kicks  # rows of every kick so far are committed: this flush sees them
        while True:
            async with self._sessionmaker() as session:
                rows = (await session.execute(self._pending, {"limit": limit})).all()
                if not rows:
                    self._metrics.outbox_pending.labels(self._metrics.service).set(0)
                    self._covered = max(self._covered, covers)
                    return sent
                await self._producer.send_many(
                    [
                        OutMessage(topic, key.encode() if key else None, v)
                        for _, topic, key, _, v in rows
                    ]
                )
                dialect = session.get_bind().dialect.name
                await session.execute(_delete(dialect, self.table), {"ids": [r[0] for r in rows]})
                await session.commit()
            for (topic, kind), n in Counter((r[1], r[3]) for r in rows).items():
                self._metrics.events_produced.labels(self._metrics.service, topic, kind).inc(n)
            sent += len(rows)
            if len(rows) < limit:
                self._covered = max(self._covered, covers)
                return sent

    async def _relay(self, polled: bool) -> None:
        self._wake.clear()
        # A wake-up whose kicks a flush already covered (a consumer relayed its batch
        # itself) would only select nothing; the periodic poll and stopping always flush.
        async with self._flush_lock:  # checked under the lock an after-batch flush holds
            if polled or self._stopping or self._covered < self._kicks:
                await self._flush_locked()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                self._task.cancel()

    async def _run(self) -> None:
        polled = True  # the first pass relays whatever an earlier process left
        while True:
            await until_it_works(log, "outbox relay failed; will retry")(self._relay, polled)
            if self._stopping:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
                polled = False
            except TimeoutError:
                polled = True
