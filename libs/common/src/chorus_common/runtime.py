"""What every service process holds: engine, producer, outbox relay, consumers, metrics.

Built once in each service's ``create_app`` and opened/closed by the app lifespan.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chorus_common.dependencies import (
    DependencyRefused,
    check_database,
    database_refusal,
    wait_for_dependency,
)
from chorus_common.messaging.bus.base import Producer
from chorus_common.messaging.bus.capabilities import IdempotenceRefused
from chorus_common.messaging.bus.factory import BusFactory, KafkaBus
from chorus_common.messaging.bus.loop import BatchHandler, ConsumerLoop
from chorus_common.messaging.envelope import Envelope
from chorus_common.messaging.outbox import Outbox
from chorus_common.metrics import Metrics
from chorus_common.persistence import db
from chorus_common.settings import CommonSettings

# The bus lives in its own modules; services import it here with the runtime.
__all__ = ["BusFactory", "KafkaBus", "Runtime"]

log = logging.getLogger(__name__)


class Runtime:
    """Service plumbing. ``publish`` stages events in the caller's transaction (outbox)."""

    def __init__(
        self,
        settings: CommonSettings,
        *,
        metadata: MetaData,
        migrations: Path,
        outbox_table: Table,
        bus: BusFactory | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metadata = metadata
        self.migrations = migrations
        self.bus: BusFactory = bus or KafkaBus(settings)
        self.metrics = metrics or Metrics(settings.service_name)
        self._outbox_table = outbox_table
        self.engine: AsyncEngine | None = None
        self.checkpointer: db.WalCheckpointer | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._producer: Producer | None = None
        self._outbox: Outbox | None = None
        self._consumer_specs: list[tuple[str, str, tuple[str, ...], BatchHandler, int | None]] = []
        self.consumers: list[ConsumerLoop] = []
        self._background: list[Callable[[], Any]] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self.started = False

    # ------------------------------------------------------------------ wiring
    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        assert self._sessionmaker is not None, "runtime not started"
        return self._sessionmaker

    @property
    def producer(self) -> Producer:
        assert self._producer is not None, "runtime not started"
        return self._producer

    @property
    def outbox(self) -> Outbox:
        assert self._outbox is not None, "runtime not started"
        return self._outbox

    @property
    def subscriptions(self) -> dict[str, tuple[str, ...]]:
        """Each consumer group and the topics it reads (docs/asyncapi.yaml is checked on it)."""
        return {group: topics for _, group, topics, _, _ in self._consumer_specs}

    @property
    def dialect(self) -> str:
        assert self.engine is not None
        return self.engine.dialect.name

    def add_consumer(
        self,
        name: str,
        topics: Iterable[str],
        handler: BatchHandler,
        *,
        fetch_max_wait_ms: int | None = None,
    ) -> None:
        """Register a consumer loop; its group is ``chorus-{service}-{name}``.

        ``fetch_max_wait_ms`` overrides KAFKA_FETCH_MAX_WAIT_MS for this consumer: a consumer
        off the latency path can wait longer, sparing the broker its empty fetches."""
        group = f"chorus-{self.settings.service_name}-{name}"
        self._consumer_specs.append((name, group, tuple(topics), handler, fetch_max_wait_ms))

    def add_background(self, factory: Callable[[], Any]) -> None:
        """Register a coroutine factory run as a task for the process lifetime (cancelled on stop)."""
        self._background.append(factory)

    async def publish(self, session: AsyncSession, events: Iterable[Envelope]) -> None:
        """Stage ``events`` in ``session``'s transaction; its commit wakes the outbox relay."""
        await self.outbox.add(session, events)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Open the database (migrated), the producer and the consumers, each waited for up to
        DEPENDENCY_WAIT_SECONDS (DependencyUnavailable / DependencyRefused after that).
        Idempotent: `run_service` starts the runtime before uvicorn's lifespan asks again."""
        if self.started:
            return
        await self._open_database()
        self._producer = self.bus.producer()
        await self._wait_for_broker(self._producer.start)
        self.metrics.idempotent_producer.labels(self.settings.service_name).set(
            1 if self._producer.idempotent else 0
        )
        self._outbox = Outbox(
            self._outbox_table,
            self.sessionmaker,
            self._producer,
            self.metrics,
            poll_seconds=self.settings.outbox_poll_seconds,
        )
        await self._outbox.start()
        if self.settings.consumer_enabled:
            await self._start_consumers(self._producer, self._outbox)
        for factory in self._background:
            self._tasks.append(asyncio.create_task(factory()))
        self.started = True

    async def _open_database(self) -> None:
        url = self.settings.effective_database_url()
        every = self.settings.sqlite_checkpoint_seconds
        path = db.sqlite_file(url) if every > 0 else None
        if path is not None:
            self.engine = db.make_engine(
                url,
                wal_autocheckpoint=db.SQLITE_BACKSTOP_PAGES,
                sqlite_fast_path=self.settings.sqlite_fast_path,
            )
            self.checkpointer = db.WalCheckpointer(path, every).start()
        else:
            self.engine = db.make_engine(url, sqlite_fast_path=self.settings.sqlite_fast_path)
        self._sessionmaker = db.make_sessionmaker(self.engine)
        if self.settings.migrate_on_start:
            await wait_for_dependency(
                "DATABASE_URL",
                "database",
                self.migrate,
                bound_s=self.settings.dependency_wait_seconds,
                check=lambda: check_database(url),
                permanent=database_refusal(url),
            )

    async def _start_consumers(self, producer: Producer, outbox: Outbox) -> None:
        for name, group, topics, handler, wait_ms in self._consumer_specs:
            self.metrics.expect_consumer(topics)
            loop = ConsumerLoop(
                name=name,
                group_id=group,
                consumer=self.bus.consumer(group, topics, fetch_max_wait_ms=wait_ms),
                producer=producer,
                handler=handler,
                metrics=self.metrics,
                max_records=self.settings.kafka_max_poll_records,
                gather_ms=self.settings.kafka_consume_gather_ms,
                after_batch=(
                    outbox.flush_if_kicked if self.settings.outbox_relay_after_batch else None
                ),
            )
            await self._wait_for_broker(loop.start)
            self.consumers.append(loop)

    async def migrate(self) -> None:
        """Upgrade this service's tables to the newest revision (idempotent)."""
        if self.engine is None:
            self.engine = db.make_engine(self.settings.effective_database_url())
        await db.upgrade(
            self.engine, self.migrations, f"alembic_version_{self.settings.service_name}"
        )

    async def _wait_for_broker(self, fn: Callable[[], Any]) -> None:
        def refusal(exc: BaseException) -> DependencyRefused | None:
            # a decision, not an outage: retrying would not change it
            if isinstance(exc, IdempotenceRefused):
                return DependencyRefused("KAFKA_ENABLE_IDEMPOTENCE", str(exc))
            return None

        await wait_for_dependency(
            "KAFKA_BOOTSTRAP_SERVERS",
            "broker",
            fn,
            bound_s=self.settings.dependency_wait_seconds,
            check=self.bus.reachable if isinstance(self.bus, KafkaBus) else None,
            permanent=refusal,
        )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            await _cancelled(task)
        for loop in self.consumers:
            await loop.stop()
        if self._outbox is not None:
            await self._outbox.stop()
        if self._producer is not None:
            try:
                await asyncio.wait_for(self._producer.stop(), timeout=10)
            except TimeoutError:
                log.warning("producer stop timed out")
        if self.engine is not None:
            await self.engine.dispose()
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.started = False

    async def ready(self) -> dict[str, bool]:
        checks = {
            "database": self.engine is not None and await db.ping(self.engine),
            "broker": self._producer is not None and await self._producer.ping(),
        }
        return checks


# A bounded wait for a cancel to land, not a retry of a failing call: nothing to back off.
async def _cancelled(task: asyncio.Task[Any], attempts: int = 20) -> None:
    """Cancel ``task`` until it ends: Python 3.11's ``asyncio.wait_for`` swallows a cancel that
    arrives as its inner future completes, and the loop around it would then run forever."""
    for _ in range(attempts):
        await asyncio.wait({task}, timeout=0.5)
        if task.done():
            if not task.cancelled() and task.exception() is not None:
                log.warning("background task failed", extra={"error": repr(task.exception())})
            return
        task.cancel()
    log.warning("background task ignored cancellation", extra={"task": task.get_name()})
