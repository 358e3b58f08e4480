"""Offsets a consumer has made durable, committed together rather than after every batch."""

from __future__ import annotations

import asyncio
import logging
import time

from chorus_common.messaging.bus.base import Consumer, Record, TopicPartition

log = logging.getLogger(__name__)


class OffsetBook:
    """Next offsets of durable batches not yet committed, and those committed.

    Committed together at most every ``interval_s``, when the topic goes quiet, before
    partitions move and on stop."""

    def __init__(self, consumer: Consumer, *, name: str, interval_s: float) -> None:
        self._consumer = consumer
        self._name = name
        self._interval = interval_s
        self._last_commit = time.monotonic()
        self.pending: dict[TopicPartition, int] = {}
        self.committed: dict[TopicPartition, int] = {}

    def stage(self, records: list[Record]) -> None:
        """Remember the next offsets of a batch whose effects are durable."""
        pending = self.pending
        for rec in records:
            tp = (rec.topic, rec.partition)
            if rec.offset + 1 > pending.get(tp, 0):
                pending[tp] = rec.offset + 1

    def due(self) -> bool:
        return time.monotonic() - self._last_commit >= self._interval

    async def flush(self) -> None:
        """Commit the staged offsets. Only durable work is ever committed; committing a
        batch later than it could be only widens what a crash redelivers, which the
        idempotent handlers absorb (and saves a broker round trip per small batch)."""
        self._last_commit = time.monotonic()
        if not self.pending:
            return
        offsets, self.pending = self.pending, {}
        try:
            await self._consumer.commit(offsets)
        except asyncio.CancelledError:
            self._merge_back(offsets)
            raise
        except Exception:
            self._merge_back(offsets)
            log.warning("offset commit failed; will retry", extra={"consumer": self._name})
            return
        self.committed.update(offsets)

    def _merge_back(self, offsets: dict[TopicPartition, int]) -> None:
        for tp, off in offsets.items():
            if off > self.pending.get(tp, 0):
                self.pending[tp] = off
