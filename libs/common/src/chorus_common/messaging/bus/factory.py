"""Which bus a service talks to: the port that makes producers and consumers, and Kafka's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chorus_common.dependencies import check_broker
from chorus_common.messaging.bus.base import Consumer, Producer
from chorus_common.messaging.bus.capabilities import BrokerProbe
from chorus_common.messaging.bus.kafka import KafkaConsumer, KafkaProducer
from chorus_common.settings import CommonSettings


class BusFactory(Protocol):
    def producer(self) -> Producer: ...

    def consumer(
        self, group_id: str, topics: Sequence[str], *, fetch_max_wait_ms: int | None = None
    ) -> Consumer: ...


class KafkaBus:
    def __init__(self, settings: CommonSettings) -> None:
        self._settings = settings
        self._probe = BrokerProbe(settings.kafka_bootstrap_servers)  # asked once, shared

    async def reachable(self) -> None:
        """Return once a bootstrap broker accepts a connection; else DependencyUnavailable."""
        await check_broker(self._settings.kafka_bootstrap_servers)

    def producer(self) -> Producer:
        return KafkaProducer(
            self._settings, client_id=self._settings.service_name, probe=self._probe
        )

    def consumer(
        self, group_id: str, topics: Sequence[str], *, fetch_max_wait_ms: int | None = None
    ) -> Consumer:
        return KafkaConsumer(
            self._settings,
            group_id=group_id,
            topics=topics,
            client_id=self._settings.service_name,
            fetch_max_wait_ms=fetch_max_wait_ms,
            probe=self._probe,
        )
