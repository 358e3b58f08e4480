"""The router's two consumers: posts fetched with the service's short wait (routing latency),
replies and alerts with a longer one (off the routing path; fewer empty fetches at rest)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from chorus_common.messaging.bus.kafka import KafkaConsumer
from chorus_common.messaging.bus.memory import MemoryBroker, MemoryConsumer
from chorus_common.runtime import KafkaBus
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from services.router.tests.router_accountability_support import settings
from tests.support.fixtures import running


class RecordingBroker(MemoryBroker):
    def __init__(self) -> None:
        super().__init__(partitions=4)
        self.waits: dict[str, int | None] = {}

    def consumer(
        self, group_id: str, topics: Sequence[str], *, fetch_max_wait_ms: int | None = None
    ) -> MemoryConsumer:
        self.waits[group_id] = fetch_max_wait_ms
        return super().consumer(group_id, topics, fetch_max_wait_ms=fetch_max_wait_ms)


@pytest.mark.unit
async def test_feedback_waits_longer_than_posts(sqlite_url) -> None:
    broker = RecordingBroker()
    app = create_app(settings(sqlite_url, kafka_feedback_fetch_max_wait_ms=333), bus=broker)
    async with running(app):
        pass
    assert broker.waits == {"chorus-router-posts": None, "chorus-router-feedback": 333}


@pytest.mark.unit
async def test_kafka_consumer_takes_the_override_or_the_service_default() -> None:
    bus = KafkaBus(RouterSettings(kafka_fetch_max_wait_ms=20))
    default = bus.consumer("g1", ["chorus.posts.v1"])
    longer = bus.consumer("g2", ["chorus.replies.v1"], fetch_max_wait_ms=200)
    assert isinstance(default, KafkaConsumer) and isinstance(longer, KafkaConsumer)
    assert default.fetch_max_wait_ms == 20
    assert longer.fetch_max_wait_ms == 200
    # ... and aiokafka was built with it (it sends it in every fetch request).
    assert longer._consumer._fetch_max_wait_ms == 200
    assert RouterSettings().kafka_feedback_fetch_max_wait_ms == 200
