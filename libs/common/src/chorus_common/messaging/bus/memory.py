"""An in-memory broker with the same ports as Kafka, for fast unit tests."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Sequence

from chorus_common.messaging.bus.base import OutMessage, Record, RevokeHook, TopicPartition


class MemoryBroker:
    """Partitioned, ordered, with per-group committed offsets; one consumer per group."""

    def __init__(self, partitions: int = 4) -> None:
        self.partitions = partitions
        self.logs: dict[str, list[list[Record]]] = {}
        self.committed: dict[str, dict[TopicPartition, int]] = {}
        self._cond = asyncio.Condition()

    def _log(self, topic: str) -> list[list[Record]]:
        if topic not in self.logs:
            self.logs[topic] = [[] for _ in range(self.partitions)]
        return self.logs[topic]

    def partition_for(self, key: bytes | None, topic: str) -> int:
        n = len(self._log(topic))
        return 0 if key is None else zlib.crc32(key) % n

    async def append(self, messages: Sequence[OutMessage]) -> None:
        async with self._cond:
            for m in messages:
                idx = self.partition_for(m.key, m.topic)
                part = self._log(m.topic)[idx]
                part.append(
                    Record(m.topic, idx, len(part), m.key, m.value, int(time.time() * 1000))
                )
            self._cond.notify_all()

    def records(self, topic: str) -> list[Record]:
        return [r for part in self._log(topic) for r in part]

    def producer(self) -> MemoryProducer:
        return MemoryProducer(self)

    def consumer(
        self, group_id: str, topics: Sequence[str], *, fetch_max_wait_ms: int | None = None
    ) -> MemoryConsumer:
        return MemoryConsumer(self, group_id, topics)  # no broker fetches to wait on


class MemoryProducer:
    idempotent = False

    def __init__(self, broker: MemoryBroker) -> None:
        self._broker = broker

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send_many(self, messages: Sequence[OutMessage]) -> None:
        await self._broker.append(messages)

    async def ping(self) -> bool:
        return True


class MemoryConsumer:
    def __init__(self, broker: MemoryBroker, group_id: str, topics: Sequence[str]) -> None:
        self._broker = broker
        self._group = group_id
        self._topics = list(topics)
        self._position: dict[TopicPartition, int] = {}

    def set_revoke_hook(self, hook: RevokeHook) -> None:
        return None

    async def start(self) -> None:
        committed = self._broker.committed.setdefault(self._group, {})
        for t in self._topics:
            for p in range(len(self._broker._log(t))):
                self._position[(t, p)] = committed.get((t, p), 0)

    async def stop(self) -> None:
        return None

    def _available(self, max_records: int) -> list[Record]:
        out: list[Record] = []
        for (t, p), pos in self._position.items():
            part = self._broker._log(t)[p]
            take = part[pos : pos + max_records - len(out)]
            out.extend(take)
            self._position[(t, p)] = pos + len(take)
            if len(out) >= max_records:
                break
        return out

    async def getmany(self, timeout_ms: int, max_records: int) -> list[Record]:
        out = self._available(max_records)
        if out:
            return out
        try:
            async with self._broker._cond:
                await asyncio.wait_for(self._broker._cond.wait(), timeout_ms / 1000)
        except TimeoutError:
            return []
        return self._available(max_records)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self._broker.committed.setdefault(self._group, {}).update(offsets)

    async def lag(self, committed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        return {
            (t, p): len(self._broker._log(t)[p]) - committed.get((t, p), 0)
            for (t, p) in self._position
        }

    def rewind_to_committed(self) -> None:
        """Simulate a restart: forget fetched-but-uncommitted positions."""
        committed = self._broker.committed.get(self._group, {})
        for tp in self._position:
            self._position[tp] = committed.get(tp, 0)
