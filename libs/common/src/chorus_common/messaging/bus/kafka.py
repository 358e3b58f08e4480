"""aiokafka adapters for the bus ports."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import CommitFailedError, KafkaError, MessageSizeTooLargeError
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.structs import TopicPartition as KTP

from chorus_common.messaging.bus.base import OutMessage, Record, RevokeHook, TopicPartition
from chorus_common.messaging.bus.capabilities import BrokerProbe, resolve_idempotence
from chorus_common.messaging.bus.partition import KeyPartitioner
from chorus_common.settings import CommonSettings

log = logging.getLogger(__name__)


MAX_REQUEST_BYTES = 2_097_152


class KafkaProducer:
    """Producer port over aiokafka; acks/idempotence/linger come from settings.

    ``send_many`` fills one record batch per partition itself and hands each to aiokafka
    whole (``send_batch``), instead of one ``send`` per message, which costs a metadata wait,
    a partitioner call through aiokafka's wrapper and a future per message. The partitions
    are the ones ``send`` would choose (same partitioner, same partition lists), and the
    broker sees the same batches: ``send`` also puts a group's messages for one partition
    into one batch."""

    def __init__(
        self, settings: CommonSettings, client_id: str, probe: BrokerProbe | None = None
    ) -> None:
        self._settings = settings
        self._client_id = client_id
        self._probe = probe or BrokerProbe(settings.kafka_bootstrap_servers)
        self._partitioner = KeyPartitioner()
        self._producer: AIOKafkaProducer | None = None
        self.idempotent = False

    async def start(self) -> None:
        """Resolve KAFKA_ENABLE_IDEMPOTENCE against the broker, then start (IdempotenceRefused
        when it would run without idempotence where that is not allowed)."""
        settings = self._settings
        caps = await self._probe.get()
        self.idempotent = resolve_idempotence(
            settings.kafka_enable_idempotence,
            caps,
            production=settings.environment == "production",
            bootstrap=settings.kafka_bootstrap_servers,
            acks_all=settings.kafka_acks == "all",
        )
        log.info(
            "producer idempotence",
            extra={
                "setting": str(settings.kafka_enable_idempotence).lower(),
                "idempotent": self.idempotent,
                "embedded_broker": caps.embedded,
            },
        )
        producer = self.build(idempotent=self.idempotent)
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    def build(self, *, idempotent: bool) -> AIOKafkaProducer:
        """The aiokafka producer this port drives (not started)."""
        settings = self._settings
        compression = None if settings.kafka_compression == "none" else settings.kafka_compression
        acks: int | str = "all" if settings.kafka_acks == "all" else int(settings.kafka_acks)
        return AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=self._client_id,
            acks=acks,
            enable_idempotence=idempotent,
            linger_ms=settings.kafka_linger_ms,
            compression_type=compression,
            max_request_size=MAX_REQUEST_BYTES,
            max_batch_size=settings.kafka_max_batch_bytes,
            request_timeout_ms=15000,
            partitioner=self._partitioner,
        )

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def send_many(self, messages: Sequence[OutMessage]) -> None:
        if not messages:
            return
        producer = self._producer
        if producer is None:
            raise RuntimeError("producer not started")
        cluster = producer.client.cluster
        lists: dict[str, tuple[list[int], list[int]]] = {}
        # Per partition, its batches in order (a new one when the last is full).
        batches: dict[tuple[str, int], list[BatchBuilder]] = {}
        for m in messages:
            parts = lists.get(m.topic)
            if parts is None:
                await producer.partitions_for(m.topic)  # waits for the topic's metadata
                parts = lists[m.topic] = (
                    list(cluster.partitions_for_topic(m.topic)),
                    list(cluster.available_partitions_for_topic(m.topic)),
                )
            size = DefaultRecordBatchBuilder.estimate_size_in_bytes(m.key, m.value, [])
            if size > MAX_REQUEST_BYTES:
                raise MessageSizeTooLargeError(
                    f"the message is {size} bytes serialized, over max_request_size"
                )
            tp = (m.topic, self._partitioner(m.key, parts[0], parts[1]))
            chain = batches.get(tp)
            if chain is None:
                chain = batches[tp] = [producer.create_batch()]
            if chain[-1].append(timestamp=None, key=m.key, value=m.value) is None:
                # full: a new batch takes it (a batch always takes its first record)
                chain.append(producer.create_batch())
                chain[-1].append(timestamp=None, key=m.key, value=m.value)
        futures = []
        for (topic, partition), chain in batches.items():
            for batch in chain:
                batch.close()
                futures.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*futures)

    async def ping(self) -> bool:
        if self._producer is None:
            return False
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout=3)
        except (KafkaError, TimeoutError, OSError):
            return False
        return True


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: KafkaConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: set[KTP]) -> None:
        hook = self._owner.revoke_hook
        if hook is not None and revoked:
            await hook({(tp.topic, tp.partition) for tp in revoked})

    async def on_partitions_assigned(self, assigned: set[KTP]) -> None:
        log.info(
            "partitions assigned",
            extra={"partitions": sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)},
        )


class KafkaConsumer:
    """Consumer port over aiokafka: manual commits, earliest reset (Tansu's end offsets are
    wrong, so ``latest`` would replay). Lag is end offset minus committed offset, the end
    offsets asked of the broker at most every ``LAG_REFRESH_S``; on the embedded broker, whose
    end offsets count batches, the high-water mark of the last fetch stands in for them."""

    LAG_REFRESH_S = 1.0

    def __init__(
        self,
        settings: CommonSettings,
        *,
        group_id: str,
        topics: Sequence[str],
        client_id: str,
        fetch_max_wait_ms: int | None = None,
        probe: BrokerProbe | None = None,
    ) -> None:
        self._topics = list(topics)
        self._probe = probe or BrokerProbe(settings.kafka_bootstrap_servers)
        self.exact_end_offsets = False
        self._ends: dict[KTP, int] = {}
        self._ends_at = 0.0
        self.fetch_max_wait_ms = (
            settings.kafka_fetch_max_wait_ms if fetch_max_wait_ms is None else fetch_max_wait_ms
        )
        self.revoke_hook: RevokeHook | None = None
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=group_id,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            max_poll_interval_ms=300000,
            rebalance_timeout_ms=settings.kafka_session_timeout_ms * 2,
            # Range keeps partition p of every subscribed topic on one member: posts and
            # case events share the thread_id key and partition count, so one instance sees
            # a whole conversation across topics (round-robin would split it).
            partition_assignment_strategy=(RangePartitionAssignor,),
        )

    def set_revoke_hook(self, hook: RevokeHook) -> None:
        self.revoke_hook = hook

    async def start(self) -> None:
        self.exact_end_offsets = (await self._probe.get()).exact_end_offsets
        await self._consumer.start()
        self._consumer.subscribe(self._topics, listener=_Listener(self))

    async def stop(self) -> None:
        await self._consumer.stop()

    async def getmany(self, timeout_ms: int, max_records: int) -> list[Record]:
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        out: list[Record] = []
        for tp, msgs in batches.items():
            for m in msgs:
                out.append(
                    Record(tp.topic, tp.partition, m.offset, m.key, m.value or b"", m.timestamp)
                )
        return out

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        owned = self._consumer.assignment()
        to_commit = {KTP(t, p): off for (t, p), off in offsets.items() if KTP(t, p) in owned}
        if not to_commit:
            return
        try:
            await self._consumer.commit(to_commit)
        except CommitFailedError:
            # The group rebalanced under us; the new owner resumes from the last commit and
            # idempotent handlers absorb the redelivery.
            log.warning("commit failed after rebalance; records will be redelivered")

    async def lag(self, committed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        owned = self._consumer.assignment()
        if self.exact_end_offsets:
            await self._refresh_ends(owned)
        out: dict[TopicPartition, int] = {}
        for tp in owned:
            end = self._ends.get(tp) if self.exact_end_offsets else self._consumer.highwater(tp)
            if end is None:
                continue
            done = committed.get((tp.topic, tp.partition), 0)
            out[(tp.topic, tp.partition)] = max(0, end - done)
        return out

    async def _refresh_ends(self, owned: set[KTP]) -> None:
        now = time.monotonic()
        if not owned or (now - self._ends_at < self.LAG_REFRESH_S and owned <= self._ends.keys()):
            return
        self._ends_at = now
        try:
            ends = await asyncio.wait_for(self._consumer.end_offsets(list(owned)), timeout=5)
        except (KafkaError, TimeoutError, OSError) as exc:
            # A leader moving: keep the last figures, ask again on the next refresh.
            log.debug("end offsets unavailable", extra={"error": type(exc).__name__})
            return
        self._ends.update(ends)
