"""Ports of the bus. Kafka and the in-memory broker both implement them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

TopicPartition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class OutMessage:
    topic: str
    key: bytes | None
    value: bytes


class Producer(Protocol):
    # Whether the broker deduplicates this producer's retries (Kafka's idempotent producer).
    idempotent: bool

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_many(self, messages: Sequence[OutMessage]) -> None:
        """Send every message and return once the broker acknowledged all of them."""
        ...

    async def ping(self) -> bool: ...


RevokeHook = Callable[[set[TopicPartition]], Awaitable[None]]


class Consumer(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def getmany(self, timeout_ms: int, max_records: int) -> list[Record]: ...

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit next-offsets for partitions this consumer still owns (others are skipped)."""
        ...

    async def lag(self, committed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        """Records not yet committed, per partition this consumer owns."""
        ...

    def set_revoke_hook(self, hook: RevokeHook) -> None: ...
