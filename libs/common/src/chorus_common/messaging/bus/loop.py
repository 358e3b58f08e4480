"""The consumer loop: batch in, one durable unit of work, then commit; bad records to the DLQ."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from chorus_common.logging import trace_id_var
from chorus_common.messaging.bus.base import Consumer, Producer, Record, TopicPartition
from chorus_common.messaging.bus.failures import (
    DeadRecord,
    PermanentError,
    dead_letter,
    is_transient,
)
from chorus_common.messaging.bus.offsets import OffsetBook
from chorus_common.messaging.envelope import DecodeError, Envelope
from chorus_common.metrics import Metrics
from chorus_common.retrying import BACKOFF

log = logging.getLogger(__name__)

BatchHandler = Callable[[list[Envelope]], Awaitable[None]]


class _Stopping(Exception):
    """The loop was asked to stop during a transient-error back-off."""


class ConsumerLoop:
    """Run ``handler`` over batches from ``consumer``; commit only after it returned.

    ``handler`` receives decoded envelopes and must make its effects durable (one
    transaction) before returning; it must be idempotent, as a crash between its commit and
    the offset commit redelivers the batch. Undecodable records and events that fail on
    their own with a permanent error go to ``chorus.dlq.v1``; transient errors retry the
    batch with back-off without committing.
    """

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        consumer: Consumer,
        producer: Producer,
        handler: BatchHandler,
        metrics: Metrics,
        max_records: int = 500,
        timeout_ms: int = 200,
        commit_interval_s: float = 0.5,
        gather_ms: int = 0,
        after_batch: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.name = name
        # Run after each handled batch, before the next fetch (the runtime passes the outbox
        # relay: a batch's events leave before the next batch's unit of work holds the loop).
        self._after_batch = after_batch
        self.group_id = group_id
        self._consumer = consumer
        self._producer = producer
        self._handler = handler
        self._metrics = metrics
        self._max_records = max_records
        self._timeout_ms = timeout_ms
        self._gather_s = gather_ms / 1000
        self._stopping = asyncio.Event()
        self._lock = asyncio.Lock()
        self._offsets = OffsetBook(consumer, name=name, interval_s=commit_interval_s)
        self.handled = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def committed(self) -> dict[TopicPartition, int]:
        return self._offsets.committed

    async def start(self) -> None:
        self._consumer.set_revoke_hook(self._on_revoke)
        await self._consumer.start()
        self._task = asyncio.create_task(self.run(), name=f"consumer:{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=15)
            except TimeoutError:
                self._task.cancel()
        try:
            await asyncio.wait_for(self._offsets.flush(), timeout=10)
        except TimeoutError:
            log.warning("final offset commit timed out", extra={"consumer": self.name})
        try:
            await asyncio.wait_for(self._consumer.stop(), timeout=10)
        except TimeoutError:
            log.warning("consumer stop timed out", extra={"consumer": self.name})

    async def _on_revoke(self, revoked: set[TopicPartition]) -> None:
        # Let the in-flight batch finish and commit what is durable before the partitions move.
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout=10)
        except TimeoutError:
            return
        try:
            await self._offsets.flush()
        finally:
            self._lock.release()

    async def run(self) -> None:
        while not self._stopping.is_set():
            records = await self._fetch(self._timeout_ms, self._max_records)
            if records is None:
                await self._sleep(1.0)
                continue
            if records and self._gather_s and len(records) < self._max_records:
                records = await self._gather(records)
            if not records:
                if self._offsets.pending:
                    async with self._lock:
                        await self._offsets.flush()
                await self._export_lag()
                continue
            async with self._lock:
                done = await self.process(records)
                if done:
                    self._offsets.stage(records)
                    if self._offsets.due():
                        await self._offsets.flush()
            if self._after_batch is not None:
                await self._after_batch()
            await self._export_lag()
            # Let the other tasks of this process run between batches: under a steady stream
            # the fetch and the (inline) database calls complete without suspending, and the
            # outbox relay, HTTP requests and timers would otherwise wait for a quiet moment.
            await asyncio.sleep(0)

    async def _fetch(self, timeout_ms: int, max_records: int) -> list[Record] | None:
        """The next records, or None (logged) when the fetch failed."""
        try:
            return await self._consumer.getmany(timeout_ms, max_records)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("fetch failed", extra={"consumer": self.name})
            return None

    async def _gather(self, records: list[Record]) -> list[Record]:
        """Top a small batch up with what arrives within ``gather_ms``: fewer, larger batches
        (one transaction, one fetch, one offset commit for more events) for a bounded delay.
        Stops as soon as the batch is full, so a backlog is not held up by the wait."""
        deadline = time.monotonic() + self._gather_s
        while len(records) < self._max_records:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0 or self._stopping.is_set():
                break
            more = await self._fetch(left_ms, self._max_records - len(records))
            if more is None:
                break
            records = records + more
        return records

    async def process(self, records: list[Record]) -> bool:
        """Handle one batch; False if stopping interrupted a transient-error retry."""
        started = time.perf_counter()
        good: list[Envelope] = []
        rec_of: dict[int, Record] = {}
        dead: list[DeadRecord] = []
        for rec in records:
            try:
                env = Envelope.from_bytes(rec.value)
            except DecodeError as exc:
                dead.append(DeadRecord(rec, exc.code, str(exc), exc.field))
                continue
            except Exception as exc:
                # A decoder bug must not stop the partition (or kill this task): the record
                # goes to the DLQ with what went wrong, and the rest of the batch goes on.
                log.exception("decoding a record failed", extra={"consumer": self.name})
                dead.append(DeadRecord(rec, "decode_failed", f"{type(exc).__name__}: {exc}", None))
                continue
            good.append(env)
            rec_of[id(env)] = rec
        if good:
            ok = await self._handle_with_retry(good, rec_of, dead)
            if not ok:
                return False
        if dead:
            await dead_letter(dead, producer=self._producer, metrics=self._metrics)
        counts = Counter((env.topic, env.type) for env in good)
        for (topic, kind), n in counts.items():  # one labels() lookup per kind, not per event
            self._metrics.events_consumed.labels(self._metrics.service, topic, kind).inc(n)
        self.handled += len(good)
        topic = records[0].topic
        self._metrics.handler_duration.labels(self._metrics.service, topic).observe(
            time.perf_counter() - started
        )
        return True

    async def _handle_with_retry(
        self,
        good: list[Envelope],
        rec_of: dict[int, Record],
        dead: list[DeadRecord],
    ) -> bool:
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=BACKOFF,
            sleep=self._pause,
            before_sleep=self._transient,
            reraise=True,
        )
        try:
            await retrying(self._handle, good)
            return True
        except _Stopping:
            return False
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if len(good) == 1:
                code = exc.code if isinstance(exc, PermanentError) else "handler_error"
                log.warning(
                    "event failed; dead-lettering",
                    extra={
                        "consumer": self.name,
                        "event_type": good[0].type,
                        "error": str(exc)[:500],
                    },
                )
                reason = f"{type(exc).__name__}: {exc}"
                dead.append(DeadRecord(rec_of[id(good[0])], code, reason, None))
                return True
            # Isolate the culprit: handle each event on its own.
            for env in good:
                if not await self._handle_with_retry([env], rec_of, dead):
                    return False
            return True

    async def _handle(self, good: list[Envelope]) -> None:
        trace_id_var.set(good[0].trace_id if len(good) == 1 else None)
        await self._handler(good)

    def _transient(self, state: RetryCallState) -> None:
        self._metrics.handler_retries.labels(self._metrics.service).inc()
        exc = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "transient error; retrying batch",
            extra={"consumer": self.name, "error": type(exc).__name__},
        )

    async def _pause(self, seconds: float) -> None:
        if not await self._sleep(seconds):
            raise _Stopping

    async def _export_lag(self) -> None:
        try:
            lags = await self._consumer.lag(self.committed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("consumer lag unavailable", extra={"consumer": self.name})
            return
        for (t, p), lag in lags.items():
            self._metrics.consumer_lag.labels(self._metrics.service, self.group_id, t, str(p)).set(
                lag
            )

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopping; False when the loop should stop."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds * (0.5 + random.random()))
        except TimeoutError:
            return True
        return False
